-- AlterTable
ALTER TABLE "projection_spaces" ADD COLUMN     "vectors_version" BIGINT NOT NULL DEFAULT 0;

-- Every statement that inserts, updates or deletes document projections (cascades included)
-- bumps vectors_version of the spaces it touched, once per statement: what result caches of
-- rankings over a space compare to know that the space's vectors are unchanged.
CREATE FUNCTION "projection_spaces_bump_vectors_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "projection_spaces" SET "vectors_version" = "vectors_version" + 1
   WHERE "id" IN (SELECT DISTINCT "space_id" FROM "changed");
  RETURN NULL;
END
$$;

CREATE TRIGGER "document_projections_inserted"
  AFTER INSERT ON "document_projections" REFERENCING NEW TABLE AS "changed"
  FOR EACH STATEMENT EXECUTE FUNCTION "projection_spaces_bump_vectors_version"();

CREATE TRIGGER "document_projections_updated"
  AFTER UPDATE ON "document_projections" REFERENCING NEW TABLE AS "changed"
  FOR EACH STATEMENT EXECUTE FUNCTION "projection_spaces_bump_vectors_version"();

CREATE TRIGGER "document_projections_deleted"
  AFTER DELETE ON "document_projections" REFERENCING OLD TABLE AS "changed"
  FOR EACH STATEMENT EXECUTE FUNCTION "projection_spaces_bump_vectors_version"();
