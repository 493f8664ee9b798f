-- Rollback of 0013_agent_credential: the checks and the sealed column. The sealed credentials are lost with it
-- (SQL cannot open them); agents keep only the keys still in the legacy llm_api_key.
ALTER TABLE "agents" DROP CONSTRAINT "agents_credential_sealed";--> statement-breakpoint
ALTER TABLE "agents" DROP CONSTRAINT "agents_credential_one_form";--> statement-breakpoint
ALTER TABLE "agents" DROP COLUMN "llm_credential";
