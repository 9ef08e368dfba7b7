// The RFM segment map of VECTORS.md, so pages classify recomputed scores with the same rules as the loaders.
import {SEGMENTS} from "../../loaders/segments.js";

process.stdout.write(JSON.stringify(SEGMENTS));
