// PostGraphile 5 serving the bench schema (see schema.sql) on 127.0.0.1 only.
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/meridian_bench_large PORT=5678 node node_modules/.bin/postgraphile -C postgraphile/graphile.config.mjs
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["bench"],
      // The same pool size as Meridian's default (MERIDIAN_DB_MAX_CONNECTIONS=10).
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? 10) },
    }),
  ],
  grafserv: { host: "127.0.0.1", port: Number(process.env.PORT ?? 5678), graphiql: false, watch: false },
  grafast: { explain: false },
};

export default preset;
