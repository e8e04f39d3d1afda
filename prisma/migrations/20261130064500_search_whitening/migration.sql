-- AlterTable
ALTER TABLE "projection_spaces" ADD COLUMN     "search_whitening" BYTEA;

-- AlterTable
ALTER TABLE "document_projections" ADD COLUMN     "search_sketch" halfvec;
