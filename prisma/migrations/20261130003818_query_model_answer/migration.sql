-- AlterTable
ALTER TABLE "queries" ADD COLUMN     "answered_correctly" BOOLEAN,
ADD COLUMN     "computed_at" TIMESTAMPTZ(3),
ADD COLUMN     "gradient_job_id" TEXT,
ADD COLUMN     "model_answer" TEXT,
ADD COLUMN     "nats" DOUBLE PRECISION;
