-- Rollback of 0010_tools: the tools table (with its policies, grants, trigger and indexes) and its two enum types.
DROP TABLE "tools";--> statement-breakpoint
DROP TYPE "public"."tool_type";--> statement-breakpoint
DROP TYPE "public"."tool_language";
