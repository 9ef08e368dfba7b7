// Runs the server on the already-built site (npm start builds first).
import {main} from "../api/server.js";

await main();
