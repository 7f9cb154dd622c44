package io.srproxy.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that needs the machine's cores to itself: three or more browsers encoding media at
 * once, video quality that must not drop, or a measurement of bytes allocated per packet (which
 * needs the JIT's compiler threads to get CPU). The build runs these classes one at a time after
 * the others, which run in two JVMs at once because most of them wait on timers and peers, or
 * drive one or two browsers (pom.xml, surefire's {@code runs-alone-tests}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {
    String TAG = "runs-alone";
}
