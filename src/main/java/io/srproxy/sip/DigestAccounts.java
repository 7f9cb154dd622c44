package io.srproxy.sip;

import gov.nist.javax.sip.clientauthutils.AccountManager;
import gov.nist.javax.sip.clientauthutils.UserCredentials;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ClientTransaction;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;

/** The agent's accounts and passwords: digest credentials by the From user of a challenged request. */
final class DigestAccounts implements AccountManager {

    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    void put(String user, String password) {
        passwords.put(user, password);
    }

    /** Our own accounts: a call to one of them is a call to us, whatever the dial prefix. */
    Set<String> users() {
        return passwords.keySet();
    }

    @Override
    public UserCredentials getCredentials(ClientTransaction challenged, String realm) {
        FromHeader from = (FromHeader) challenged.getRequest().getHeader(FromHeader.NAME);
        String user = ((SipURI) from.getAddress().getURI()).getUser();
        String password = passwords.get(user);
        if (password == null) {
            return null;
        }
        return new UserCredentials() {
            @Override
            public String getUserName() {
                return user;
            }

            @Override
            public String getPassword() {
                return password;
            }

            @Override
            public String getSipDomain() {
                return realm;
            }
        };
    }
}
