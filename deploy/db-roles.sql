-- deploy/db-roles.sql — least-privilege roles and the tutord database, run once by a superuser on a new
-- cluster (db-init.sh in the postgres container; psql variables owner_pw, app_pw and repl_pw).
--   tutord_owner  LOGIN: owns the database and its schema; `tutord migrate` and `tutord seed-demo` use it
--   tutord_app    NOLOGIN: what the service may do (the migrations grant it: read and write the data, never
--                 alter the audit trail); created here so that the owner need not have CREATEROLE
--   tutord_web    LOGIN, no privileges of its own: `tutord serve` connects as it and acts as tutord_app
--                 (TUTORD_DB_ROLE=tutord_app sets the role at connection time)
--   replicator    LOGIN REPLICATION: the read replica's base backup and WAL stream, nothing else
\set ON_ERROR_STOP on
CREATE ROLE tutord_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE tutord_app NOLOGIN;
CREATE ROLE tutord_web LOGIN NOINHERIT PASSWORD :'app_pw' IN ROLE tutord_app;
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_pw';
CREATE DATABASE tutord OWNER tutord_owner;
REVOKE ALL ON DATABASE tutord FROM PUBLIC;
GRANT CONNECT ON DATABASE tutord TO tutord_web;
GRANT TEMPORARY ON DATABASE tutord TO tutord_app; -- the imports stage rows in a temporary table
