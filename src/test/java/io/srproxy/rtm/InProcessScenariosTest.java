package io.srproxy.rtm;

/** The scenario suite over the in-process client, the gateway's way in. */
class InProcessScenariosTest extends RtmScenarios {

    @Override
    protected RtmClient newClient(String appId, RtmListener listener) {
        return service.createClient(appId, listener);
    }
}
