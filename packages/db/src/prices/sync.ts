import { sql } from "drizzle-orm";

import { type Database, queryRow } from "../database";
import { withStaff } from "../tenant-scope";
import { type ShippedPrices, shippedPrices, shippedSource } from "./shipped";

export interface PriceSyncResult {
  /** Rows added: a shipped price period the table did not have, or a changed price from now on. */
  inserted: number;
  /** Rows of a period that starts in the future, changed in place (no execution can have used them). */
  updated: number;
}

/**
 * Brings the global rows of `models` up to the shipped price table (shipped-prices.json); every
 * migration run ends with it (client.ts, neon.ts). One statement in one transaction, as the staff
 * role: the migrator may be a superuser (local Postgres, PGlite) or only the tables' owner (Neon),
 * whom FORCE ROW LEVEL SECURITY holds like anyone; the staff role's `staff_write_shared` policy
 * lets it write global rows and nothing else, and 0004_admin_role made the migrator a member.
 *
 * For each shipped row (a model's price for the period from its `validFrom` to the next shipped
 * `validFrom` of the model), the newest global row of that period decides:
 * - none: the row is inserted as shipped, with source `genai-prices@<version>`;
 * - same prices, tiers and patterns: nothing (so a second run changes nothing);
 * - different, and it came from genai-prices: a NEW row valid from now, so executions priced
 *   before keep their price and the table keeps its history; a period that has not started yet
 *   is changed in place instead, and one that already ended (a later period is in force) is left;
 * - edited by staff (`source` = `staff`): left alone, as are tenant rows and models a newer
 *   release dropped.
 */
export async function syncShippedPrices(db: Database, prices: ShippedPrices = shippedPrices): Promise<PriceSyncResult> {
  const source = shippedSource(prices);
  return withStaff(db, (tx) =>
    queryRow<PriceSyncResult>(
      tx,
      sql`
        with shipped as (
          select s.provider, s."modelName" as model_name,
                 array(select jsonb_array_elements_text(s."matchPatterns")) as match_patterns,
                 s.input::numeric as input_price, s.output::numeric as output_price,
                 s."cachedInput"::numeric as cached_input_price, s."cacheWrite"::numeric as cache_write_price,
                 s.reasoning::numeric as reasoning_price, s.tiers, s."validFrom"::timestamptz as valid_from
          from jsonb_to_recordset(${JSON.stringify(prices.rows)}::jsonb) as s(
            provider text, "modelName" text, "matchPatterns" jsonb, input text, output text, "cachedInput" text,
            "cacheWrite" text, reasoning text, tiers jsonb, "validFrom" text)
        ),
        periods as (
          select shipped.*, lead(valid_from) over (partition by provider, model_name order by valid_from) as valid_until
          from shipped
        ),
        -- The newest global row of each shipped period (a hash join: the table is a few hundred rows).
        newest as (
          select distinct on (p.provider, p.model_name, p.valid_from) p.provider, p.model_name, p.valid_from, m.id, m.source,
                 m.input_price, m.output_price, m.cached_input_price, m.cache_write_price, m.reasoning_price, m.tiers, m.match_patterns
          from periods p
          join models m on m.tenant_id is null and m.provider = p.provider and m.model_name = p.model_name
            and m.valid_from >= p.valid_from and (p.valid_until is null or m.valid_from < p.valid_until)
          order by p.provider, p.model_name, p.valid_from, m.valid_from desc
        ),
        compared as (
          select p.*, m.id as current_id, m.source as current_source,
                 m.input_price = p.input_price and m.output_price = p.output_price
                   and m.cached_input_price is not distinct from p.cached_input_price
                   and m.cache_write_price is not distinct from p.cache_write_price
                   and m.reasoning_price is not distinct from p.reasoning_price
                   and m.tiers = p.tiers and m.match_patterns = p.match_patterns as unchanged
          from periods p
          left join newest m using (provider, model_name, valid_from)
        ),
        changed as (
          select * from compared
          where current_id is null or (not unchanged and current_source like 'genai-prices@%')
        ),
        updated as (
          update models m
          set match_patterns = c.match_patterns, input_price = c.input_price, output_price = c.output_price,
              cached_input_price = c.cached_input_price, cache_write_price = c.cache_write_price,
              reasoning_price = c.reasoning_price, tiers = c.tiers, source = ${source}, version = m.version + 1
          from changed c
          where m.id = c.current_id and c.valid_from > now()
          returning m.id
        ),
        inserted as (
          insert into models (tenant_id, provider, model_name, match_patterns, input_price, output_price, cached_input_price,
                              cache_write_price, reasoning_price, tiers, valid_from, source)
          select null, provider, model_name, match_patterns, input_price, output_price, cached_input_price,
                 cache_write_price, reasoning_price, tiers, case when current_id is null then valid_from else now() end, ${source}
          from changed
          where current_id is null or (valid_from <= now() and (valid_until is null or valid_until > now()))
          on conflict do nothing
          returning id
        )
        select (select count(*) from inserted)::int as inserted, (select count(*) from updated)::int as updated
      `,
    ),
  );
}
