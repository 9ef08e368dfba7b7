import {readFileSync} from "node:fs";
import {trainSegmentation} from "../loaders/segmentation-model.js";
const events = readFileSync("../shared/reference/cdnow/CDNOW_master.txt", "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => {
    const [c, d, , v] = l.trim().split(/\s+/);
    return {customer: c, date: Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8)), amount: +v};
  });
console.time("train");
const {model} = trainSegmentation(events, {
  entity: "customer",
  observationDate: Date.UTC(1998, 5, 30),
  windowDays: 600
});
console.timeEnd("train");
console.log(model.metrics.reason, model.metrics.stability.meanAri, model.modelVersion);
console.log(model.clusters);
