package io.srproxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code [rtm2sip] acc_rule} syntax: items separated by {@code ;}, each a literal account
 * ({@code 1005}) or {@code PREFIX[FROM-TO]}, which expands to PREFIX + each number FROM..TO
 * zero-padded to the digit count of FROM ({@code 10[06-19]} = 1006..1019).
 */
public final class AccRule {

    /** Upper bound on one rule's expansion: every account becomes a logged-in RTM user. */
    public static final int MAX_ACCOUNTS = 10_000;

    private AccRule() {}

    /** Expands a rule into its accounts, in order; throws {@link IllegalArgumentException} naming the broken item. */
    public static List<String> expand(String rule) {
        List<String> accounts = new ArrayList<>();
        if (rule == null || rule.isBlank()) {
            return accounts;
        }
        for (String item : rule.split(";", -1)) {
            if (item.isEmpty()) {
                continue; // "1005;" and ";;" are harmless
            }
            expandItem(item, accounts);
            if (accounts.size() > MAX_ACCOUNTS) {
                throw new IllegalArgumentException("expands to more than " + MAX_ACCOUNTS + " accounts");
            }
        }
        List<String> seen = new ArrayList<>();
        for (String a : accounts) {
            if (seen.contains(a)) {
                throw new IllegalArgumentException("account " + a + " is listed twice");
            }
            seen.add(a);
        }
        return Collections.unmodifiableList(accounts);
    }

    private static void expandItem(String item, List<String> out) {
        int open = item.indexOf('[');
        int close = item.indexOf(']');
        if (open < 0 && close < 0) {
            requireAccountChars(item, item);
            out.add(item);
            return;
        }
        if (open < 0 || close < 0 || close < open || item.indexOf('[', open + 1) >= 0
                || item.indexOf(']', close + 1) >= 0) {
            throw new IllegalArgumentException("'" + item + "': unbalanced brackets (expected PREFIX[FROM-TO])");
        }
        if (close != item.length() - 1) {
            throw new IllegalArgumentException("'" + item + "': nothing may follow ']' (expected PREFIX[FROM-TO])");
        }
        String prefix = item.substring(0, open);
        requireAccountChars(item, prefix);
        String range = item.substring(open + 1, close);
        int dash = range.indexOf('-');
        if (dash <= 0 || dash == range.length() - 1) {
            throw new IllegalArgumentException("'" + item + "': a range needs FROM-TO inside the brackets");
        }
        String from = range.substring(0, dash);
        String to = range.substring(dash + 1);
        if (!from.chars().allMatch(Character::isDigit) || !to.chars().allMatch(Character::isDigit)
                || from.length() > 9 || to.length() > 9) {
            throw new IllegalArgumentException("'" + item + "': FROM and TO must be numbers of at most 9 digits");
        }
        long lo = Long.parseLong(from);
        long hi = Long.parseLong(to);
        if (lo > hi) {
            throw new IllegalArgumentException("'" + item + "': FROM " + from + " is greater than TO " + to);
        }
        if (hi - lo + 1 > MAX_ACCOUNTS) {
            throw new IllegalArgumentException("'" + item + "': range of " + (hi - lo + 1)
                    + " accounts exceeds " + MAX_ACCOUNTS);
        }
        String format = "%0" + from.length() + "d";
        for (long n = lo; n <= hi; n++) {
            out.add(prefix + String.format(format, n));
        }
    }

    private static void requireAccountChars(String item, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '"') {
                throw new IllegalArgumentException("'" + item + "': unexpected character '" + c + "'");
            }
        }
    }
}
