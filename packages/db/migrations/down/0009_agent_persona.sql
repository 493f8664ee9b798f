-- Rollback of 0009_agent_persona: the agents' persona (role, goal, backstory), behaviour flags,
-- max_iterations, category and tags go, and with the columns their checks and the tags' GIN index.
ALTER TABLE "agents"
  DROP COLUMN "role",
  DROP COLUMN "goal",
  DROP COLUMN "backstory",
  DROP COLUMN "verbose",
  DROP COLUMN "allow_delegation",
  DROP COLUMN "reasoning",
  DROP COLUMN "max_iterations",
  DROP COLUMN "category",
  DROP COLUMN "tags";
