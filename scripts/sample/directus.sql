-- scripts/sample/directus.sql: a sample "directus" database for schemafs.
--
-- A small slice of a Directus headless CMS: a few of Directus's own system
-- tables (directus_*) and two user collections (articles, categories) the
-- way Directus creates them (knex: <table>_<column>_foreign FK names,
-- status/sort/user_created/date_created fields).
--
--   psql -X -q -v ON_ERROR_STOP=1 -d directus -f scripts/sample/directus.sql

SET client_min_messages = warning;

CREATE TABLE public.directus_roles (
	id uuid NOT NULL,
	name character varying(100) NOT NULL,
	icon character varying(64) DEFAULT 'supervised_user_circle' NOT NULL,
	description text,
	admin_access boolean DEFAULT false NOT NULL,
	app_access boolean DEFAULT true NOT NULL,
	CONSTRAINT directus_roles_pkey PRIMARY KEY (id)
);

CREATE TABLE public.directus_users (
	id uuid NOT NULL,
	first_name character varying(50),
	last_name character varying(50),
	email character varying(128),
	password character varying(255),
	location character varying(255),
	title character varying(50),
	description text,
	tags json,
	avatar uuid,
	language character varying(255),
	tfa_secret character varying(255),
	status character varying(16) DEFAULT 'active' NOT NULL,
	role uuid,
	token character varying(255),
	last_access timestamp with time zone,
	last_page character varying(255),
	provider character varying(128) DEFAULT 'default' NOT NULL,
	external_identifier character varying(255),
	auth_data json,
	email_notifications boolean DEFAULT true,
	CONSTRAINT directus_users_pkey PRIMARY KEY (id),
	CONSTRAINT directus_users_email_unique UNIQUE (email),
	CONSTRAINT directus_users_token_unique UNIQUE (token),
	CONSTRAINT directus_users_external_identifier_unique UNIQUE (external_identifier),
	CONSTRAINT directus_users_role_foreign FOREIGN KEY (role)
		REFERENCES public.directus_roles (id) ON DELETE SET NULL
);
COMMENT ON COLUMN public.directus_users.password IS 'argon2 hash; never returned by the API';

CREATE TABLE public.directus_collections (
	collection character varying(64) NOT NULL,
	icon character varying(30),
	note text,
	display_template character varying(255),
	hidden boolean DEFAULT false NOT NULL,
	singleton boolean DEFAULT false NOT NULL,
	translations json,
	archive_field character varying(64),
	archive_app_filter boolean DEFAULT true NOT NULL,
	archive_value character varying(255),
	unarchive_value character varying(255),
	sort_field character varying(64),
	accountability character varying(255) DEFAULT 'all',
	color character varying(255),
	item_duplication_fields json,
	sort integer,
	"group" character varying(64),
	collapse character varying(255) DEFAULT 'open' NOT NULL,
	CONSTRAINT directus_collections_pkey PRIMARY KEY (collection),
	CONSTRAINT directus_collections_group_foreign FOREIGN KEY ("group")
		REFERENCES public.directus_collections (collection)
);
COMMENT ON TABLE public.directus_collections IS
	'Directus metadata for each user table; changes travel via schema snapshots';

CREATE TABLE public.directus_fields (
	id SERIAL NOT NULL,
	collection character varying(64) NOT NULL,
	field character varying(64) NOT NULL,
	special character varying(64),
	interface character varying(64),
	options json,
	display character varying(64),
	display_options json,
	readonly boolean DEFAULT false NOT NULL,
	hidden boolean DEFAULT false NOT NULL,
	sort integer,
	width character varying(30) DEFAULT 'full',
	translations json,
	note text,
	conditions json,
	required boolean DEFAULT false,
	"group" character varying(64),
	validation json,
	validation_message text,
	CONSTRAINT directus_fields_pkey PRIMARY KEY (id),
	CONSTRAINT directus_fields_collection_foreign FOREIGN KEY (collection)
		REFERENCES public.directus_collections (collection) ON DELETE CASCADE
);
CREATE UNIQUE INDEX directus_fields_collection_field_index
	ON public.directus_fields USING btree (collection, field);

CREATE TABLE public.directus_activity (
	id SERIAL NOT NULL,
	action character varying(45) NOT NULL,
	"user" uuid,
	"timestamp" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
	ip character varying(50),
	user_agent text,
	collection character varying(64) NOT NULL,
	item character varying(255) NOT NULL,
	comment text,
	origin character varying(255),
	CONSTRAINT directus_activity_pkey PRIMARY KEY (id)
);
CREATE INDEX directus_activity_collection_item_index
	ON public.directus_activity USING btree (collection, item);

CREATE TABLE public.categories (
	id SERIAL NOT NULL,
	name character varying(255) NOT NULL,
	slug character varying(255) NOT NULL,
	parent integer,
	CONSTRAINT categories_pkey PRIMARY KEY (id),
	CONSTRAINT categories_slug_unique UNIQUE (slug),
	CONSTRAINT categories_parent_foreign FOREIGN KEY (parent)
		REFERENCES public.categories (id) ON DELETE SET NULL
);

CREATE TABLE public.articles (
	id SERIAL NOT NULL,
	status character varying(255) DEFAULT 'draft' NOT NULL,
	sort integer,
	user_created uuid,
	date_created timestamp with time zone,
	user_updated uuid,
	date_updated timestamp with time zone,
	title character varying(255) NOT NULL,
	slug character varying(255) NOT NULL,
	summary text,
	body text,
	category integer,
	published_at timestamp with time zone,
	seo json,
	CONSTRAINT articles_pkey PRIMARY KEY (id),
	CONSTRAINT articles_slug_unique UNIQUE (slug),
	CONSTRAINT articles_status_check CHECK (status::text IN ('draft', 'review', 'published', 'archived')),
	CONSTRAINT articles_user_created_foreign FOREIGN KEY (user_created)
		REFERENCES public.directus_users (id),
	CONSTRAINT articles_user_updated_foreign FOREIGN KEY (user_updated)
		REFERENCES public.directus_users (id),
	CONSTRAINT articles_category_foreign FOREIGN KEY (category)
		REFERENCES public.categories (id) ON DELETE SET NULL
);
COMMENT ON TABLE public.articles IS 'Blog articles (user collection)';
COMMENT ON COLUMN public.articles.seo IS 'SEO interface: title, meta_description, og_image';
CREATE INDEX articles_published_index ON public.articles USING btree (published_at DESC)
	WHERE status = 'published';

INSERT INTO public.directus_roles (id, name, icon, description, admin_access)
	VALUES ('8d6b6a0e-5b1b-4c43-9c3f-0e4a2b1d7f10', 'Administrator', 'verified',
	        '$t:admin_description', true);
INSERT INTO public.directus_collections (collection, icon, note, sort_field, archive_field,
	archive_value, unarchive_value)
	VALUES ('categories', 'folder', NULL, NULL, NULL, NULL, NULL),
	       ('articles', 'article', 'Blog articles', 'sort', 'status', 'archived', 'draft');
INSERT INTO public.directus_fields (collection, field, special, interface, hidden, sort)
	VALUES ('articles', 'id', NULL, 'input', true, 1),
	       ('articles', 'status', NULL, 'select-dropdown', false, 2),
	       ('articles', 'user_created', 'user-created', 'select-dropdown-m2o', true, 3),
	       ('articles', 'date_created', 'date-created', 'datetime', true, 4),
	       ('articles', 'title', NULL, 'input', false, 5),
	       ('articles', 'body', NULL, 'input-rich-text-html', false, 6),
	       ('articles', 'category', 'm2o', 'select-dropdown-m2o', false, 7),
	       ('categories', 'id', NULL, 'input', true, 1),
	       ('categories', 'name', NULL, 'input', false, 2);
