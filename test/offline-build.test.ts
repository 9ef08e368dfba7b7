import {spawnSync} from "node:child_process";
import {existsSync, rmSync} from "node:fs";
import {join} from "node:path";
import {beforeAll, expect, it} from "vitest";
import {ensureSample} from "../scripts/sample.js";
import {describeWith} from "./helpers/services.js";

describeWith("netns", "the offline build", () => {
  beforeAll(() => ensureSample(join("data", "sample")), 300_000);

  it("succeeds in a network namespace with only loopback, filling Framework's npm cache from scratch", () => {
    rmSync(join("src", ".observablehq", "cache"), {recursive: true, force: true});
    const run = spawnSync("unshare", ["--net", "sh", "-c", "ip link set lo up 2>/dev/null; exec npm run build"], {
      encoding: "utf8",
      env: {...process.env, npm_config_offline: "true"},
      timeout: 240_000
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/fetch failed|ENOTFOUND|EAI_AGAIN|unable to fetch/);
    expect(run.status, output.slice(-3000)).toBe(0);
    expect(existsSync(join("dist", "registrations.html"))).toBe(true);
    expect(existsSync(join("src", ".observablehq", "cache", "_npm", "@duckdb", "duckdb-wasm@1.29.0", "_esm.js"))).toBe(
      true
    );
  }, 300_000);
});
