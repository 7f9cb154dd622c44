package io.srproxy.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may send SIP requests to srproxy: the SIP server's addresses plus {@code [global]
 * sip_trusted} entries (addresses or CIDR blocks). Anything else gets 403.
 */
public final class TrustedPeers {

    private record Block(byte[] network, int prefixBits) {
        boolean contains(byte[] addr) {
            if (addr.length != network.length) {
                return false;
            }
            int bits = prefixBits;
            for (int i = 0; i < addr.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((addr[i] & mask) != (network[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Block> blocks;

    private TrustedPeers(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** Resolves {@code serverHost} (all its addresses) and parses each trusted entry. */
    public static TrustedPeers of(String serverHost, List<String> trusted) {
        List<Block> blocks = new ArrayList<>();
        if (serverHost != null) {
            try {
                for (InetAddress a : InetAddress.getAllByName(serverHost)) {
                    blocks.add(new Block(a.getAddress(), a.getAddress().length * 8));
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("[global] sip_svr: cannot resolve '" + serverHost + "'", e);
            }
        }
        for (String entry : trusted) {
            blocks.add(parse(entry.trim()));
        }
        return new TrustedPeers(blocks);
    }

    /** Only the SIP server's own addresses (none when {@code serverHost} is null). */
    public static TrustedPeers serverOnly(String serverHost) {
        return of(serverHost, List.of());
    }

    private static Block parse(String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash);
        try {
            byte[] addr = InetAddress.getByName(host).getAddress();
            int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(entry.substring(slash + 1));
            if (bits < 0 || bits > addr.length * 8) {
                throw new IllegalArgumentException("[global] sip_trusted: bad prefix length in '" + entry + "'");
            }
            return new Block(addr, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("[global] sip_trusted: '" + entry + "' is not an address or CIDR block", e);
        }
    }

    public boolean allows(InetAddress source) {
        if (source == null) {
            return false;
        }
        byte[] a = source.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
