// Drives `oncall serve` through the official Opsgenie Node SDK (`opsgenie-sdk` on npm, v2 alert
// API). Run by crates/oncall/tests/serve_clients.rs with the SDK that
// scripts/install-test-tools installs (npm ci into target/test-tools/node):
//
//     node opsgenie_node_sdk.js http://127.0.0.1:PORT KEY
//
// Creates an alert, reads the request's status and the alert (by alias and tiny id),
// acknowledges, adds a note and closes it (the SDK's paths end in a slash), checking each
// step; prints one JSON object with what it saw; exits non-zero on the first surprise.
"use strict";
const assert = require("assert");
const opsgenie = require("opsgenie-sdk");

const [url, key] = process.argv.slice(2);
// One attempt: a retry would hide a failure of the service.
opsgenie.configure({ host: url, api_key: key, maxAttempts: 1 });
const call = (f, ...args) =>
  new Promise((resolve, reject) => f(...args, (err, r) => (err ? reject(err) : resolve(r))));

async function settled(response, action) {
  assert.strictEqual(response.result, "Request will be processed", JSON.stringify(response));
  // The service commits before its 202: the status is there at once.
  const status = (await call(opsgenie.alertV2.getRequestStatus, response.requestId)).data;
  assert.strictEqual(status.action, action, JSON.stringify(status));
  assert.strictEqual(status.isSuccess, true, JSON.stringify(status));
  return status;
}

(async () => {
  const seen = {};
  const alias = "node-sdk-queue";
  const created = await call(opsgenie.alertV2.create, {
    message: "Queue backlog over 10 000",
    alias,
    priority: "P1",
    tags: ["queue"],
    details: { queue: "payments" },
  });
  const status = await settled(created, "Create");
  seen.create = { alertId: status.alertId, alias: status.alias };
  const byAlias = (await call(opsgenie.alertV2.get, { identifier: alias, identifierType: "alias" })).data;
  const byTiny = (await call(opsgenie.alertV2.get, { identifier: byAlias.tinyId, identifierType: "tiny" })).data;
  assert.strictEqual(byAlias.id, byTiny.id);
  seen.get = { id: byAlias.id, priority: byAlias.priority, status: byAlias.status, tags: byAlias.tags };

  // Wait until the on-call user's page is delivered (the alert's log), so the acknowledgement
  // comes after it.
  for (let i = 0; ; i++) {
    const logs = (await call(opsgenie.alertV2.listAlertLogs, { identifier: alias, identifierType: "alias" }, null)).data;
    if (logs.some((l) => l.type === "notification-attempt" && l.log.includes("delivered"))) break;
    assert(i < 200, "no delivery in the alert's log: " + JSON.stringify(logs));
    await new Promise((r) => setTimeout(r, 50));
  }

  await settled(
    await call(opsgenie.alertV2.acknowledge, { identifier: alias, identifierType: "alias" }, { user: "ben", note: "on it" }),
    "Acknowledge"
  );
  const acked = (await call(opsgenie.alertV2.get, { identifier: byAlias.id, identifierType: "id" })).data;
  seen.afterAcknowledge = { acknowledged: acked.acknowledged, owner: acked.owner };
  await settled(
    await call(opsgenie.alertV2.addNote, { identifier: byAlias.id, identifierType: "id" }, { user: "ben", note: "drained" }),
    "AddNote"
  );
  await settled(
    await call(opsgenie.alertV2.close, { identifier: byAlias.tinyId, identifierType: "tiny" }, { user: "ben" }),
    "Close"
  );
  const closed = (await call(opsgenie.alertV2.get, { identifier: byAlias.id, identifierType: "id" })).data;
  seen.afterClose = { status: closed.status };
  console.log(JSON.stringify(seen));
})().catch((e) => {
  console.error("FAIL", e && e.stack ? e.stack : JSON.stringify(e));
  process.exit(1);
});
