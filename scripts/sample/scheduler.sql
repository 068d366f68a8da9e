-- scripts/sample/scheduler.sql: a sample "scheduler" database for schemafs.
--
-- Modelled on the Nexus scheduler-api database (Drizzle ORM): a multi-tenant
-- booking system. Tables live in "public", the Stripe mirror and billing
-- audit log live in the "billing" schema (a pgSchema('billing') namespace).
-- Names follow drizzle-kit's conventions (<table>_<col>_<reftable>_<refcol>_fk,
-- <table>_<col>_unique, idx_<table>_<cols>).
--
-- Loads into an empty PostgreSQL 13+ database, no extensions needed:
--   psql -X -q -v ON_ERROR_STOP=1 -d scheduler -f scripts/sample/scheduler.sql

-- Check constraints on varchar columns compare as text (status::text IN ...):
-- PostgreSQL deparses "varchar_col IN ('a', 'b')" into an expression that
-- does not re-parse to itself, so pg_dump output would not round-trip.

SET client_min_messages = warning;

CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'Stripe mirror and billing audit trail (pgSchema billing)';

-- Types ----------------------------------------------------------------------

CREATE TYPE public.booking_status AS ENUM
	('pending', 'confirmed', 'completed', 'cancelled', 'no_show');
COMMENT ON TYPE public.booking_status IS
	'Lifecycle: pending -> confirmed -> completed | cancelled | no_show';

CREATE TYPE public.notification_channel AS ENUM ('email', 'sms', 'push', 'whatsapp');

CREATE TYPE billing.invoice_status AS ENUM ('draft', 'open', 'paid', 'uncollectible', 'void');

-- Functions ------------------------------------------------------------------

CREATE FUNCTION public.set_updated_at() RETURNS trigger
	LANGUAGE plpgsql
AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;
COMMENT ON FUNCTION public.set_updated_at() IS
	'BEFORE UPDATE trigger: keeps updated_at current';

-- Sequences ------------------------------------------------------------------

CREATE SEQUENCE billing.invoice_number_seq
	AS bigint START WITH 1000 INCREMENT BY 1 NO CYCLE;
COMMENT ON SEQUENCE billing.invoice_number_seq IS
	'Human-facing invoice numbers (INV-001000, ...), never reused';

-- Tables: public ------------------------------------------------------------

CREATE TABLE public.business (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	slug varchar(63) NOT NULL,
	name text NOT NULL,
	timezone text DEFAULT 'Europe/Berlin' NOT NULL,
	currency char(3) DEFAULT 'EUR' NOT NULL,
	contact_email varchar(320),
	phone varchar(32),
	settings jsonb DEFAULT '{}'::jsonb NOT NULL,
	stripe_customer_id text,
	is_active boolean DEFAULT true NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT business_pkey PRIMARY KEY (id),
	CONSTRAINT business_slug_unique UNIQUE (slug),
	CONSTRAINT business_stripe_customer_id_unique UNIQUE (stripe_customer_id),
	CONSTRAINT business_slug_format_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
	CONSTRAINT business_currency_check CHECK (currency ~ '^[A-Z]{3}$')
);
COMMENT ON TABLE public.business IS 'Tenant businesses (core entity)';
COMMENT ON COLUMN public.business.slug IS 'Public booking page: https://<slug>.nexus.app';
COMMENT ON COLUMN public.business.settings IS 'Feature flags and booking-page preferences';

CREATE TABLE public.staff (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	user_id text,
	display_name varchar(120) NOT NULL,
	email varchar(320),
	role text DEFAULT 'member' NOT NULL,
	color varchar(7),
	is_bookable boolean DEFAULT true NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT staff_pkey PRIMARY KEY (id),
	CONSTRAINT staff_business_id_email_unique UNIQUE (business_id, email),
	CONSTRAINT staff_role_check CHECK (role IN ('owner', 'admin', 'member')),
	CONSTRAINT staff_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.staff IS 'Staff members of a business';
COMMENT ON COLUMN public.staff.user_id IS 'Better Auth user id (text, not uuid); null until the invite is accepted';

CREATE TABLE public.customer (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	full_name text NOT NULL,
	email varchar(320),
	phone varchar(32),
	notes text,
	marketing_opt_in boolean DEFAULT false NOT NULL,
	metadata jsonb,
	is_deleted boolean DEFAULT false NOT NULL,
	deleted_at timestamptz,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT customer_pkey PRIMARY KEY (id),
	CONSTRAINT customer_business_id_email_unique UNIQUE (business_id, email),
	CONSTRAINT customer_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL),
	CONSTRAINT customer_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.customer IS 'End customers of a business';

CREATE TABLE public.service (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	name varchar(200) NOT NULL,
	description text,
	duration_minutes integer NOT NULL,
	buffer_minutes integer DEFAULT 0 NOT NULL,
	price numeric(12,2) DEFAULT 0 NOT NULL,
	is_active boolean DEFAULT true NOT NULL,
	sort_order smallint DEFAULT 0 NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT service_pkey PRIMARY KEY (id),
	CONSTRAINT service_duration_check CHECK (duration_minutes > 0 AND duration_minutes <= 1440),
	CONSTRAINT service_price_check CHECK (price >= 0),
	CONSTRAINT service_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.service IS 'Bookable services (name, duration, price)';
COMMENT ON COLUMN public.service.price IS 'Gross price in the business currency';

CREATE TABLE public.availability_rule (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	staff_id uuid NOT NULL,
	service_id uuid,
	weekday smallint NOT NULL,
	start_time time NOT NULL,
	end_time time NOT NULL,
	valid_from date,
	valid_until date,
	created_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT availability_rule_pkey PRIMARY KEY (id),
	CONSTRAINT availability_rule_weekday_check CHECK (weekday BETWEEN 0 AND 6),
	CONSTRAINT availability_rule_time_check CHECK (end_time > start_time),
	CONSTRAINT availability_rule_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE,
	CONSTRAINT availability_rule_staff_id_staff_id_fk FOREIGN KEY (staff_id)
		REFERENCES public.staff (id) ON DELETE CASCADE,
	CONSTRAINT availability_rule_service_id_service_id_fk FOREIGN KEY (service_id)
		REFERENCES public.service (id) ON DELETE SET NULL
);
COMMENT ON TABLE public.availability_rule IS 'Staff/service availability windows';
COMMENT ON COLUMN public.availability_rule.weekday IS '0 = Sunday ... 6 = Saturday';
COMMENT ON COLUMN public.availability_rule.service_id IS 'null: the rule applies to every service of the staff member';

CREATE TABLE public.session (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	title text,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	capacity integer DEFAULT 1 NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT session_pkey PRIMARY KEY (id),
	CONSTRAINT session_capacity_check CHECK (capacity > 0),
	CONSTRAINT session_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.session IS 'Grouped booking sessions (classes, workshops)';

CREATE TABLE public.booking (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	customer_id uuid NOT NULL,
	service_id uuid NOT NULL,
	staff_id uuid,
	session_id uuid,
	status public.booking_status DEFAULT 'pending' NOT NULL,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	price numeric(12,2) NOT NULL,
	customer_note text,
	cancellation_reason text,
	source varchar(32) DEFAULT 'web' NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT booking_pkey PRIMARY KEY (id),
	CONSTRAINT booking_time_check CHECK (ends_at > starts_at),
	CONSTRAINT booking_cancellation_check
		CHECK (status <> 'cancelled' OR cancellation_reason IS NOT NULL),
	CONSTRAINT booking_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE,
	CONSTRAINT booking_customer_id_customer_id_fk FOREIGN KEY (customer_id)
		REFERENCES public.customer (id) ON DELETE CASCADE,
	CONSTRAINT booking_service_id_service_id_fk FOREIGN KEY (service_id)
		REFERENCES public.service (id) ON DELETE RESTRICT,
	CONSTRAINT booking_staff_id_staff_id_fk FOREIGN KEY (staff_id)
		REFERENCES public.staff (id) ON DELETE SET NULL,
	CONSTRAINT booking_session_id_session_id_fk FOREIGN KEY (session_id)
		REFERENCES public.session (id) ON DELETE SET NULL
);
COMMENT ON TABLE public.booking IS
	'Appointment bookings (pending -> confirmed -> completed/cancelled/no_show)';
COMMENT ON COLUMN public.booking.status IS
	'New labels must be added in their own migration (enum split rule)';
COMMENT ON COLUMN public.booking.price IS 'Price at booking time; service.price may change later';

CREATE TABLE public.notification (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	booking_id uuid,
	channel public.notification_channel NOT NULL,
	recipient text NOT NULL,
	template varchar(64) NOT NULL,
	payload jsonb DEFAULT '{}'::jsonb NOT NULL,
	scheduled_for timestamptz DEFAULT now() NOT NULL,
	sent_at timestamptz,
	attempts integer DEFAULT 0 NOT NULL,
	last_error text,
	created_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT notification_pkey PRIMARY KEY (id),
	CONSTRAINT notification_attempts_check CHECK (attempts >= 0),
	CONSTRAINT notification_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE,
	CONSTRAINT notification_booking_id_booking_id_fk FOREIGN KEY (booking_id)
		REFERENCES public.booking (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.notification IS 'Notification records (all channels)';

CREATE TABLE public.chat_thread (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	customer_id uuid,
	assigned_staff_id uuid,
	subject text NOT NULL,
	status varchar(16) DEFAULT 'open' NOT NULL,
	last_message_at timestamptz,
	created_at timestamptz DEFAULT now() NOT NULL,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT chat_thread_pkey PRIMARY KEY (id),
	CONSTRAINT chat_thread_status_check CHECK (status::text IN ('open', 'waiting', 'closed')),
	CONSTRAINT chat_thread_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE,
	CONSTRAINT chat_thread_customer_id_customer_id_fk FOREIGN KEY (customer_id)
		REFERENCES public.customer (id) ON DELETE SET NULL,
	CONSTRAINT chat_thread_assigned_staff_id_staff_id_fk FOREIGN KEY (assigned_staff_id)
		REFERENCES public.staff (id) ON DELETE SET NULL
);
COMMENT ON TABLE public.chat_thread IS 'Support ticket threads';

CREATE TABLE public.platform_config (
	key varchar(128) NOT NULL,
	value jsonb NOT NULL,
	description text,
	updated_by text,
	updated_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT platform_config_pkey PRIMARY KEY (key)
);
COMMENT ON TABLE public.platform_config IS 'Runtime feature toggles';

CREATE TABLE public.domain (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	hostname varchar(253) NOT NULL,
	is_primary boolean DEFAULT false NOT NULL,
	verification_token text NOT NULL,
	verified_at timestamptz,
	acme_state varchar(16) DEFAULT 'pending' NOT NULL,
	acme_order_url text,
	certificate_expires_at timestamptz,
	created_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT domain_pkey PRIMARY KEY (id),
	CONSTRAINT domain_hostname_unique UNIQUE (hostname),
	CONSTRAINT domain_hostname_lower_check CHECK (hostname = lower(hostname)),
	CONSTRAINT domain_acme_state_check
		CHECK (acme_state::text IN ('pending', 'validating', 'issued', 'failed', 'expired')),
	CONSTRAINT domain_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.domain IS 'Custom domain records + ACME state';

-- Tables: billing -----------------------------------------------------------

CREATE TABLE billing.billing_invoice_mirror (
	id uuid DEFAULT gen_random_uuid() NOT NULL,
	business_id uuid NOT NULL,
	invoice_number text
		DEFAULT ('INV-' || lpad(nextval('billing.invoice_number_seq')::text, 6, '0')) NOT NULL,
	stripe_invoice_id text NOT NULL,
	status billing.invoice_status DEFAULT 'draft' NOT NULL,
	currency char(3) DEFAULT 'EUR' NOT NULL,
	amount_due numeric(12,2) NOT NULL,
	amount_paid numeric(12,2) DEFAULT 0 NOT NULL,
	period_start timestamptz,
	period_end timestamptz,
	hosted_invoice_url text,
	raw jsonb NOT NULL,
	synced_at timestamptz DEFAULT now() NOT NULL,
	created_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT billing_invoice_mirror_pkey PRIMARY KEY (id),
	CONSTRAINT billing_invoice_mirror_stripe_invoice_id_unique UNIQUE (stripe_invoice_id),
	CONSTRAINT billing_invoice_mirror_invoice_number_unique UNIQUE (invoice_number),
	CONSTRAINT billing_invoice_mirror_amounts_check
		CHECK (amount_due >= 0 AND amount_paid >= 0 AND amount_paid <= amount_due),
	CONSTRAINT billing_invoice_mirror_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE CASCADE
);
COMMENT ON TABLE billing.billing_invoice_mirror IS
	'Local Stripe invoice cache, refreshed by the invoice.* webhooks';
COMMENT ON COLUMN billing.billing_invoice_mirror.raw IS 'The Stripe invoice object as last received';

CREATE TABLE billing.business_billing_audit (
	id bigint GENERATED ALWAYS AS IDENTITY,
	business_id uuid,
	invoice_id uuid,
	event_type varchar(64) NOT NULL,
	stripe_event_id text,
	actor text DEFAULT 'system' NOT NULL,
	details jsonb DEFAULT '{}'::jsonb NOT NULL,
	occurred_at timestamptz DEFAULT now() NOT NULL,
	CONSTRAINT business_billing_audit_pkey PRIMARY KEY (id),
	CONSTRAINT business_billing_audit_stripe_event_id_unique UNIQUE (stripe_event_id),
	CONSTRAINT business_billing_audit_business_id_business_id_fk FOREIGN KEY (business_id)
		REFERENCES public.business (id) ON DELETE SET NULL,
	CONSTRAINT business_billing_audit_invoice_id_billing_invoice_mirror_id_fk FOREIGN KEY (invoice_id)
		REFERENCES billing.billing_invoice_mirror (id) ON DELETE SET NULL
);
COMMENT ON TABLE billing.business_billing_audit IS 'Billing event log (append-only)';
COMMENT ON COLUMN billing.business_billing_audit.business_id IS
	'Kept (set to null) when the business is deleted, for the accountants';

-- Indexes --------------------------------------------------------------------

CREATE INDEX idx_staff_business_id ON public.staff USING btree (business_id);
CREATE INDEX idx_customer_business_id ON public.customer USING btree (business_id)
	WHERE is_deleted = false;
CREATE INDEX idx_customer_lower_email ON public.customer USING btree (lower((email)::text));
CREATE INDEX idx_service_business_id ON public.service USING btree (business_id);
CREATE INDEX idx_availability_rule_staff_weekday
	ON public.availability_rule USING btree (staff_id, weekday, start_time);
CREATE INDEX idx_booking_business_starts ON public.booking USING btree (business_id, starts_at);
CREATE INDEX idx_booking_staff_active ON public.booking USING btree (staff_id, starts_at)
	WHERE status IN ('pending', 'confirmed');
CREATE INDEX idx_booking_customer_id ON public.booking USING btree (customer_id);
CREATE INDEX idx_notification_unsent ON public.notification USING btree (scheduled_for)
	WHERE sent_at IS NULL;
CREATE INDEX idx_chat_thread_business_status
	ON public.chat_thread USING btree (business_id, status, last_message_at DESC NULLS LAST);
CREATE UNIQUE INDEX domain_one_primary_per_business ON public.domain USING btree (business_id)
	WHERE is_primary;
CREATE INDEX idx_billing_invoice_mirror_business_period
	ON billing.billing_invoice_mirror USING btree (business_id, period_start DESC);
CREATE INDEX idx_business_billing_audit_business_occurred
	ON billing.business_billing_audit USING btree (business_id, occurred_at);
CREATE INDEX idx_business_billing_audit_details
	ON billing.business_billing_audit USING gin (details);

-- Triggers -------------------------------------------------------------------

CREATE TRIGGER business_set_updated_at BEFORE UPDATE ON public.business
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER staff_set_updated_at BEFORE UPDATE ON public.staff
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER customer_set_updated_at BEFORE UPDATE ON public.customer
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER service_set_updated_at BEFORE UPDATE ON public.service
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER booking_set_updated_at BEFORE UPDATE ON public.booking
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE TRIGGER chat_thread_set_updated_at BEFORE UPDATE ON public.chat_thread
	FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Views ----------------------------------------------------------------------

CREATE VIEW public.upcoming_bookings AS
	SELECT b.id,
		b.business_id,
		b.starts_at,
		b.ends_at,
		b.status,
		s.name AS service_name,
		st.display_name AS staff_name,
		c.full_name AS customer_name,
		c.email AS customer_email
	FROM public.booking b
		JOIN public.service s ON s.id = b.service_id
		JOIN public.customer c ON c.id = b.customer_id
		LEFT JOIN public.staff st ON st.id = b.staff_id
	WHERE b.starts_at >= now()
		AND b.status IN ('pending'::public.booking_status, 'confirmed'::public.booking_status);
COMMENT ON VIEW public.upcoming_bookings IS 'Pending and confirmed bookings from now on';

-- A SQL-language function is checked when created, so it comes after its tables.
CREATE FUNCTION public.booking_overlaps(p_staff_id uuid, p_starts_at timestamptz, p_ends_at timestamptz)
	RETURNS boolean
	LANGUAGE sql STABLE
AS $$
	SELECT EXISTS (
		SELECT 1 FROM public.booking b
		WHERE b.staff_id = p_staff_id
		  AND b.status IN ('pending', 'confirmed')
		  AND tstzrange(b.starts_at, b.ends_at) && tstzrange(p_starts_at, p_ends_at)
	);
$$;
COMMENT ON FUNCTION public.booking_overlaps(uuid, timestamptz, timestamptz) IS
	'True when the staff member already has an active booking in that window';

-- A little seed data, so the demo database is not entirely empty --------------

INSERT INTO public.platform_config (key, value, description) VALUES
	('booking.max_days_ahead', '90', 'How far ahead customers can book'),
	('notifications.sms_enabled', 'false', 'Kill switch for the SMS provider'),
	('billing.trial_days', '14', 'Trial length for new businesses');
