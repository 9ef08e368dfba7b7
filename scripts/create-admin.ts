// Creates (or promotes) an administrator: npm run admin:create -- --email a@b.c --name "Ana" [--password …]
// The password comes from --password, ADMIN_PASSWORD, or a prompt.
import {createInterface} from "node:readline/promises";
import {parseArgs} from "node:util";
import {loadConfig} from "../api/config.js";
import {createLogger} from "../api/logger.js";
import {openRuntime} from "../api/server.js";
import {createAdministrator, newAdministrator} from "../api/users.js";

const {values} = parseArgs({
  options: {email: {type: "string"}, name: {type: "string"}, password: {type: "string"}, help: {type: "boolean"}}
});
if (values.help || !values.email) {
  console.error('usage: npm run admin:create -- --email you@example.com --name "Your Name" [--password …]');
  process.exit(values.help ? 0 : 2);
}
let password = values.password ?? process.env.ADMIN_PASSWORD;
if (!password) {
  const rl = createInterface({input: process.stdin, output: process.stderr});
  password = await rl.question("Password (at least 10 characters): ");
  rl.close();
}
const input = newAdministrator.safeParse({
  email: values.email,
  name: values.name ?? values.email.split("@")[0],
  password
});
if (!input.success) {
  for (const issue of input.error.issues) console.error(`${issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}

const config = loadConfig();
const logger = createLogger("warn");
const runtime = await openRuntime(config, logger);
try {
  const user = await createAdministrator(runtime, input.data);
  console.error(`administrator ${user.email} ready (id ${user.id})`);
} finally {
  await runtime.db.close();
}
