package io.srproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.NumericChars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccRuleTest {

    @Test
    void guideRuleGivesFifteenAccountsInOrder() {
        List<String> expected = IntStream.rangeClosed(1005, 1019).mapToObj(Integer::toString).toList();
        assertThat(AccRule.expand("1005;10[06-19]")).containsExactlyElementsOf(expected).hasSize(15);
    }

    @Test
    void rangeIsZeroPaddedToTheDigitsOfFrom() {
        assertThat(AccRule.expand("20[01-05]")).containsExactly("2001", "2002", "2003", "2004", "2005");
        assertThat(AccRule.expand("7[008-010]")).containsExactly("7008", "7009", "7010");
    }

    @Test
    void upstreamRuleMixesLiteralsAndARange() {
        assertThat(AccRule.expand("1016;1017;20[01-05]"))
                .containsExactly("1016", "1017", "2001", "2002", "2003", "2004", "2005");
    }

    @Test
    void emptyRuleAndStrayEmptyItemsAreHarmless() {
        assertThat(AccRule.expand("")).isEmpty();
        assertThat(AccRule.expand("1005;;1006;")).containsExactly("1005", "1006");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10[19-06]      | '10[19-06]': FROM 19 is greater than TO 06",
        "10[0a-19]      | '10[0a-19]': FROM and TO must be numbers of at most 9 digits",
        "10[06-19       | '10[06-19': unbalanced brackets (expected PREFIX[FROM-TO])",
        "1006-19]       | '1006-19]': unbalanced brackets (expected PREFIX[FROM-TO])",
        "10[[06-19]]    | '10[[06-19]]': unbalanced brackets (expected PREFIX[FROM-TO])",
        "10[06-19]9     | '10[06-19]9': nothing may follow ']' (expected PREFIX[FROM-TO])",
        "10[0619]       | '10[0619]': a range needs FROM-TO inside the brackets",
        "10[-19]        | '10[-19]': a range needs FROM-TO inside the brackets",
        "1005;1005      | account 1005 is listed twice",
        "1[0-99999]     | '1[0-99999]': range of 100000 accounts exceeds 10000",
    })
    void brokenRulesAreRejectedNamingTheItem(String rule, String message) {
        assertThatThrownBy(() -> AccRule.expand(rule)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Property(tries = 200)
    void aRangeExpandsToEveryNumberOnceWithTheSameWidth(
            @ForAll @NumericChars @StringLength(min = 0, max = 3) String prefix,
            @ForAll @IntRange(min = 0, max = 500) int from,
            @ForAll @IntRange(min = 0, max = 300) int span,
            @ForAll @IntRange(min = 1, max = 4) int width) {
        String fromText = String.format("%0" + width + "d", from);
        int to = from + span;
        List<String> accounts = AccRule.expand(prefix + "[" + fromText + "-" + to + "]");
        assertThat(accounts).hasSize(span + 1).doesNotHaveDuplicates();
        assertThat(accounts.get(0)).isEqualTo(prefix + fromText);
        assertThat(accounts.get(span)).isEqualTo(prefix + String.format("%0" + fromText.length() + "d", to));
    }
}
