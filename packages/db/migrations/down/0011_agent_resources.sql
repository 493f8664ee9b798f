-- Rollback of 0011_agent_resources: the agent_resources table (with its policies, grants, trigger and indexes) and its enum type.
DROP TABLE "agent_resources";--> statement-breakpoint
DROP TYPE "public"."agent_resource_kind";
