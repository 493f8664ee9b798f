-- BEFORE UPDATE on every table with updated_at: raw SQL cannot forget it.
-- Installed by 0002_triggers.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
