// Run in Chromium by RtmJsSdkTest through executeAsyncScript: two SDK clients in one page.
const done = arguments[arguments.length - 1];
const appId = arguments[0];
(async () => {
  const { createInstance, LocalInvitationState, RemoteInvitationState } = await import('/srproxy-rtm.js');
  const log = [];
  const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
  const a = createInstance(appId);
  const b = createInstance(appId);
  window.rtmA = a;
  a.on('ConnectionStateChanged', (s, r) => log.push(`a state ${s} ${r}`));
  b.on('ConnectionStateChanged', (s, r) => log.push(`b state ${s} ${r}`));
  a.on('PeersOnlineStatusChanged', (m) => Object.entries(m).forEach(([u, s]) => log.push(`a presence ${u}=${s}`)));
  b.on('MessageFromPeer', (m, p) => log.push(`b message ${p}: ${m.text}`));
  b.on('RemoteInvitationReceived', (r) => log.push(`b received from ${r.callerId} ${r.content} ${r.channelId} ${r.state}`));
  for (const name of ['LocalInvitationReceivedByPeer', 'LocalInvitationAccepted', 'LocalInvitationRefused',
    'LocalInvitationCanceled', 'LocalInvitationFailure']) {
    a.on(name, (inv, arg) => log.push(['a', name, arg, inv.state].filter((x) => x !== undefined && x !== '').join(' ')));
  }
  for (const name of ['RemoteInvitationAccepted', 'RemoteInvitationRefused', 'RemoteInvitationCanceled', 'RemoteInvitationFailure']) {
    b.on(name, (inv, arg) => log.push(['b', name, arg, inv.state].filter((x) => x !== undefined && x !== '').join(' ')));
  }

  let wrongApp;
  try { await createInstance('not-' + appId).login({ uid: 'x' }); } catch (e) { wrongApp = e.code; }
  log.push(`wrong appid ${wrongApp}`);

  await a.login({ uid: 'web-a' });
  await b.login({ uid: 'web-b', token: 'ignored' });
  const subscribed = once(a, 'PeersOnlineStatusChanged');
  await a.subscribePeersOnlineStatus(['web-b']);
  await subscribed;

  const received = once(b, 'MessageFromPeer');
  log.push(`send ${JSON.stringify(await a.sendMessageToPeer({ text: 'hello from a' }, 'web-b'))}`);
  await received;
  log.push(`query ${JSON.stringify(await a.queryPeersOnlineStatus(['web-b', 'nobody']))}`);
  try { await a.sendMessageToPeer({ text: 'x' }, 'nobody'); } catch (e) { log.push(`offline ${e.code}`); }

  // accept
  const inv1 = a.createLocalInvitation('web-b');
  inv1.content = '{"Mode":1}';
  inv1.channelId = '123456789';
  b.once('RemoteInvitationReceived', (r) => { r.response = '{"Mode":1,"Conference":false}'; log.push(`accept ${r.accept()} ${r.state}`); });
  const acceptedOnInvitation = once(inv1, 'LocalInvitationAccepted');
  const calleeAccepted = once(b, 'RemoteInvitationAccepted');
  log.push(`send1 ${inv1.send()} ${inv1.state}`);
  log.push(`accepted response ${(await acceptedOnInvitation)[0]} ${inv1.state} ${inv1.response}`);
  log.push(`callee ${(await calleeAccepted)[0].state}`);
  log.push(`send1 again ${inv1.send()} cancel1 ${inv1.cancel()}`);

  // refuse
  const inv2 = a.createLocalInvitation('web-b');
  b.once('RemoteInvitationReceived', (r) => { r.response = 'busy'; log.push(`refuse ${r.refuse()}`); });
  const refused = once(inv2, 'LocalInvitationRefused');
  inv2.send();
  log.push(`refused ${(await refused)[0]} ${inv2.state}`);

  // cancel
  const inv3 = a.createLocalInvitation('web-b');
  const remote3 = once(b, 'RemoteInvitationReceived');
  const byPeer = once(inv3, 'LocalInvitationReceivedByPeer');
  const canceledCallee = once(b, 'RemoteInvitationCanceled');
  log.push(`cancel before send ${inv3.cancel()}`);
  inv3.send();
  await byPeer;
  log.push(`cancel3 ${inv3.cancel()}`);
  await once(inv3, 'LocalInvitationCanceled');
  await canceledCallee;
  const [r3] = await remote3;
  log.push(`canceled ${inv3.state} ${r3.state} accept-after ${r3.accept()}`);

  // limits
  const big = a.createLocalInvitation('web-b');
  big.content = 'c'.repeat(9 * 1024);
  log.push(`big ${big.send()}`);
  const longChannel = a.createLocalInvitation('web-b');
  longChannel.channelId = 'c'.repeat(65);
  log.push(`long channel ${longChannel.send()}`);

  // a second login of the same uid replaces the first, whose invitation ends on both sides
  const c = createInstance(appId);
  c.on('ConnectionStateChanged', (s, r) => log.push(`c state ${s} ${r}`));
  await c.login({ uid: 'web-c' });
  const inv4 = c.createLocalInvitation('web-b');
  inv4.on('LocalInvitationFailure', (reason) => log.push(`c inv4 failure ${reason} ${inv4.state}`));
  const byPeer4 = once(inv4, 'LocalInvitationReceivedByPeer');
  const remote4 = once(b, 'RemoteInvitationReceived');
  inv4.send();
  await byPeer4;
  const [r4] = await remote4;
  const remote4Failed = once(b, 'RemoteInvitationFailure');
  const replaced = once(c, 'ConnectionStateChanged');
  const c2 = createInstance(appId);
  await c2.login({ uid: 'web-c' });
  await replaced;
  await remote4Failed;
  log.push(`replaced ${c.connectionState} ${r4.state}`);

  // the callee goes away mid-invitation
  const inv5 = c2.createLocalInvitation('web-b');
  const byPeer5 = once(inv5, 'LocalInvitationReceivedByPeer');
  inv5.send();
  await byPeer5;
  const failed5 = once(inv5, 'LocalInvitationFailure');
  const offline = once(a, 'PeersOnlineStatusChanged');
  await b.logout();
  await offline;
  log.push(`b after logout ${b.connectionState}`);
  log.push(`inv5 ${(await failed5)[0]} ${inv5.state}`);
  await c2.logout();

  // stays logged in for the Java side: accept what comes
  a.on('RemoteInvitationReceived', (r) => { r.response = 'from the browser'; r.accept(); });
  a.on('MessageFromPeer', (m, p) => log.push(`a message ${p}: ${m.text}`));
  window.rtmLog = log;
  return log;
})().then((log) => done(JSON.stringify(log)), (e) => done(JSON.stringify(['ERROR ' + e + ' ' + (e.stack ?? '')])));
