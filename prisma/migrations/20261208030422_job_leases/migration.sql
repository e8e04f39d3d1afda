-- Liveness of queued jobs (docs/operations.md "Liveness of jobs"): the worker process holding each
-- job of the work queue and the advisory-lock key it holds while alive. A sweep returns to the
-- queue the active jobs whose holder's lock is gone, and records here when and why.
-- CreateTable
CREATE TABLE "job_leases" (
    "job_id" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "worker" TEXT,
    "lock_key" INTEGER,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reclaim_count" INTEGER NOT NULL DEFAULT 0,
    "reclaimed_at" TIMESTAMPTZ(3),
    "reclaim_reason" TEXT,

    CONSTRAINT "job_leases_pkey" PRIMARY KEY ("job_id")
);

-- CreateIndex
CREATE INDEX "job_leases_lock_key_idx" ON "job_leases"("lock_key");
