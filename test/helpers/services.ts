// Which real services this run has. A suite needing one that is absent is skipped, unless REQUIRE_SERVICES=1
// (CI), where it fails instead: CI must never pass by skipping.
import {existsSync} from "node:fs";
import {describe} from "vitest";

export const requireServices = process.env.REQUIRE_SERVICES === "1";
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const services = {
  postgres: process.env.DATABASE_URL,
  mongodb: process.env.MONGODB_URL,
  chromium: existsSync(chromiumPath) ? chromiumPath : undefined,
  netns: process.getuid?.() === 0 ? "unshare" : undefined
};

export type ServiceName = keyof typeof services;

/** describe() when the service is there; describe.skip() (or a failing suite under REQUIRE_SERVICES) otherwise. */
export function describeWith(service: ServiceName, name: string, body: () => void): void {
  if (services[service]) {
    describe(name, body);
  } else if (requireServices) {
    describe(name, () => {
      throw new Error(`REQUIRE_SERVICES=1 but ${service} is not available: run scripts/services.sh`);
    });
  } else {
    describe.skip(`${name} (needs ${service})`, body);
  }
}
