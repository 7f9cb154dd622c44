package io.srproxy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassicScriptTest {

    @Test
    void exportsBecomePropertiesOfTheGlobalAndTheDefaultIsItsBase() {
        String module = String.join("\n",
                "export const A = 1;",
                "export async function load() { return import.meta.url; }",
                "export class Thing {}",
                "const hidden = 2;",
                "export default { A, VERSION: '1' };");
        String script = ClassicScript.build(module, "x.js", "ArX");

        assertThat(script).startsWith("/* ArX.js").contains("var ArX = (function () {")
                .contains("const A = 1;", "async function load() { return __srproxyScriptUrl; }", "class Thing {}",
                        "const __srproxyDefault = { A, VERSION: '1' };", "__srproxyGlobal.load = load;")
                .doesNotContain("export ", "import.meta");
    }

    @Test
    void importsAndOtherExportFormsAreRefusedWithTheLine() {
        assertThatThrownBy(() -> ClassicScript.build("const a = 1;\nimport x from './y.js';", "m.js", "G"))
                .hasMessageContaining("m.js:2").hasMessageContaining("import x");
        assertThatThrownBy(() -> ClassicScript.build("export { a };", "m.js", "G")).hasMessageContaining("m.js:1");
    }

    @Test
    void theShippedSdksBuild() {
        String rtc = ClassicScript.build(SdkModule.resource("srproxy-rtc.js"), "srproxy-rtc.js", "ArRTC");
        String rtm = ClassicScript.build(SdkModule.resource("srproxy-rtm.js"), "srproxy-rtm.js", "ArRTM");
        assertThat(rtc).contains("var ArRTC = ", "__srproxyGlobal.getDevices = getDevices;").doesNotContain("import.meta");
        assertThat(rtm).contains("var ArRTM = ", "createInstance").doesNotContain("import.meta");
    }
}
