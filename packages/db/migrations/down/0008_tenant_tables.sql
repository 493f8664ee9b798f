-- Tables made tenant tables through it keep their policies and grants; only the function goes.
DROP FUNCTION IF EXISTS make_tenant_table(regclass, text);
