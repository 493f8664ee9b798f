/** `pnpm bench`: every benchmark in sequence, in one process, printing its figures. */
import { crewsGetBench } from "./crews-get";
import { edgeColdStartBench } from "./edge-cold-start";
import { hotCounterBench } from "./hot-counter";
import { ingestionBench } from "./ingestion";
import { ingestionCostBench } from "./ingestion-cost";
import { machine } from "./lib";
import { readsBench } from "./reads";
import { recordBench } from "./record";

console.log(`pnpm bench, ${new Date().toISOString()}, ${machine()}`);
await hotCounterBench();
await ingestionBench();
await ingestionCostBench();
await recordBench();
await readsBench();
await crewsGetBench();
await edgeColdStartBench();
