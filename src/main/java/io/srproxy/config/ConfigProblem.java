package io.srproxy.config;

/** One thing wrong with a config file, located as precisely as the file allows. */
public record ConfigProblem(Severity severity, String file, int line, String section, String key, String message) {

    public enum Severity { ERROR, WARNING }

    /** {@code rtx.conf:12: [global] sip_local_port: 70000 is out of range 1..65535}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (section != null) {
            sb.append('[').append(section).append("] ");
        }
        if (key != null) {
            sb.append(key).append(": ");
        }
        return sb.append(message).toString();
    }
}
