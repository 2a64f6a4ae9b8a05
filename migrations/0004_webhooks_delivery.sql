ALTER TYPE "public"."delivery_status" ADD VALUE 'dead_letter';--> statement-breakpoint
CREATE UNIQUE INDEX "webhooks_org_url" ON "webhooks" USING btree ("org_id","url");