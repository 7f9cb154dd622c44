// Run in Chromium by RtmJsSdkTest through executeAsyncScript, once per page: logs in as arguments[1],
// joins channel 'group' and records the channel's events in window.page.log for the test to read.
const done = arguments[arguments.length - 1];
const [appId, uid] = arguments;
(async () => {
  const { createInstance } = await import('/srproxy-rtm.js');
  const log = [];
  const client = createInstance(appId);
  client.on('ConnectionStateChanged', (s, r) => log.push(`state ${s} ${r}`));
  await client.login({ uid });
  const channel = client.createChannel('group');
  channel.on('ChannelMessage', (m, from) => log.push(`message ${from}: ${m.text} ${m.messageType}`));
  channel.on('MemberJoined', (m) => log.push(`joined ${m}`));
  channel.on('MemberLeft', (m) => log.push(`left ${m}`));
  channel.on('MemberCountUpdated', (n) => log.push(`count ${n}`));
  await channel.join();
  window.page = {
    client, channel, log,
    /** The RtmError code a promise rejects with, or OK. */
    code: async (p) => { try { await p; return 'OK'; } catch (e) { return e.code ?? String(e); } },
  };
  return log;
})().then((log) => done(JSON.stringify(log)), (e) => done(JSON.stringify(['ERROR ' + e + ' ' + (e.stack ?? '')])));
