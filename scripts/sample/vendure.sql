-- scripts/sample/vendure.sql: a sample "vendure" database for schemafs.
--
-- A small slice of a Vendure e-commerce backend as TypeORM creates it:
-- serial ids, camelCase quoted column names, hashed constraint names
-- (PK_..., FK_..., IDX_...), money as integer minor units, and a table
-- called "order" (a reserved word, always quoted).
--
--   psql -X -q -v ON_ERROR_STOP=1 -d vendure -f scripts/sample/vendure.sql

SET client_min_messages = warning;

CREATE TYPE public.order_type_enum AS ENUM ('Regular', 'Seller', 'Aggregate');

CREATE TABLE public.channel (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	code character varying NOT NULL,
	token character varying NOT NULL,
	description character varying DEFAULT '',
	"defaultLanguageCode" character varying NOT NULL,
	"availableLanguageCodes" text,
	"defaultCurrencyCode" character varying NOT NULL,
	"availableCurrencyCodes" text,
	"trackInventory" boolean DEFAULT true NOT NULL,
	"outOfStockThreshold" integer DEFAULT 0 NOT NULL,
	"pricesIncludeTax" boolean NOT NULL,
	id SERIAL NOT NULL,
	CONSTRAINT "PK_590f33ee6ee7d76437acf362e39" PRIMARY KEY (id),
	CONSTRAINT "UQ_06127ac6c6d913f4320759971db" UNIQUE (code),
	CONSTRAINT "UQ_842699fce4f3470a7d06d89de88" UNIQUE (token)
);
COMMENT ON TABLE public.channel IS 'Sales channels: each storefront or marketplace seller is one';

CREATE TABLE public.product (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	"deletedAt" timestamp without time zone,
	enabled boolean DEFAULT true NOT NULL,
	"customFields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	id SERIAL NOT NULL,
	"featuredAssetId" integer,
	CONSTRAINT "PK_bebc9158e480b949565b4dc7a82" PRIMARY KEY (id)
);

CREATE TABLE public.product_translation (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	"languageCode" character varying NOT NULL,
	name character varying NOT NULL,
	slug character varying NOT NULL,
	description text NOT NULL,
	id SERIAL NOT NULL,
	"baseId" integer,
	CONSTRAINT "PK_62d00fbc92e7a495701d6fee9d5" PRIMARY KEY (id),
	CONSTRAINT "FK_7dbc75cb4e8b002620c4dbfdac5" FOREIGN KEY ("baseId")
		REFERENCES public.product (id) ON DELETE CASCADE
);

CREATE TABLE public.product_channels_channel (
	"productId" integer NOT NULL,
	"channelId" integer NOT NULL,
	CONSTRAINT "PK_fd768bcb2cdbdb3f0d4fa7b5f57" PRIMARY KEY ("productId", "channelId"),
	CONSTRAINT "FK_26d12be3b5fec6c4adb1d792844" FOREIGN KEY ("productId")
		REFERENCES public.product (id) ON DELETE CASCADE ON UPDATE CASCADE,
	CONSTRAINT "FK_a51dfbd87c330c075c39832b6e7" FOREIGN KEY ("channelId")
		REFERENCES public.channel (id) ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE public.product_variant (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	"deletedAt" timestamp without time zone,
	enabled boolean DEFAULT true NOT NULL,
	sku character varying NOT NULL,
	"outOfStockThreshold" integer DEFAULT 0 NOT NULL,
	"useGlobalOutOfStockThreshold" boolean DEFAULT true NOT NULL,
	"trackInventory" character varying DEFAULT 'INHERIT' NOT NULL,
	id SERIAL NOT NULL,
	"productId" integer,
	"taxCategoryId" integer,
	CONSTRAINT "PK_1ab69c9935c61f7c70791ae0a9f" PRIMARY KEY (id),
	CONSTRAINT "FK_6e420052844edf3a5506d863ce6" FOREIGN KEY ("productId")
		REFERENCES public.product (id)
);
COMMENT ON COLUMN public.product_variant."trackInventory" IS 'INHERIT, TRUE or FALSE';

CREATE TABLE public.customer (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	"deletedAt" timestamp without time zone,
	title character varying,
	"firstName" character varying NOT NULL,
	"lastName" character varying NOT NULL,
	"phoneNumber" character varying,
	"emailAddress" character varying NOT NULL,
	id SERIAL NOT NULL,
	"userId" integer,
	CONSTRAINT "PK_a7a13f4cacb744524e44dfdad32" PRIMARY KEY (id),
	CONSTRAINT "REL_3f62b42ed23958b120c235f74d" UNIQUE ("userId")
);

CREATE TABLE public."order" (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	type public.order_type_enum DEFAULT 'Regular' NOT NULL,
	code character varying NOT NULL,
	state character varying NOT NULL,
	active boolean DEFAULT true NOT NULL,
	"orderPlacedAt" timestamp without time zone,
	"couponCodes" text NOT NULL,
	"shippingAddress" text NOT NULL,
	"billingAddress" text NOT NULL,
	"currencyCode" character varying NOT NULL,
	"subTotal" integer NOT NULL,
	"subTotalWithTax" integer NOT NULL,
	shipping integer DEFAULT 0 NOT NULL,
	"shippingWithTax" integer DEFAULT 0 NOT NULL,
	id SERIAL NOT NULL,
	"aggregateOrderId" integer,
	"customerId" integer,
	CONSTRAINT "PK_1031171c13130102495201e3e20" PRIMARY KEY (id),
	CONSTRAINT "FK_124456e637cca7a415897dce659" FOREIGN KEY ("customerId")
		REFERENCES public.customer (id),
	CONSTRAINT "FK_73a78d7df09541ac5eba620d181" FOREIGN KEY ("aggregateOrderId")
		REFERENCES public."order" (id)
);
COMMENT ON TABLE public."order" IS 'Orders, from the first item in the cart to delivery';
COMMENT ON COLUMN public."order"."subTotal" IS 'Minor units (cents) of currencyCode, before tax';

CREATE TABLE public.order_line (
	"createdAt" timestamp without time zone DEFAULT now() NOT NULL,
	"updatedAt" timestamp without time zone DEFAULT now() NOT NULL,
	quantity integer NOT NULL,
	"orderPlacedQuantity" integer DEFAULT 0 NOT NULL,
	"listPrice" integer NOT NULL,
	"listPriceIncludesTax" boolean NOT NULL,
	"adjustments" text NOT NULL,
	"taxLines" text NOT NULL,
	id SERIAL NOT NULL,
	"productVariantId" integer NOT NULL,
	"orderId" integer,
	CONSTRAINT "PK_01a7c973d9f30479647e44f9892" PRIMARY KEY (id),
	CONSTRAINT "CHK_order_line_quantity" CHECK (quantity >= 0),
	CONSTRAINT "FK_cbcd22193eda94668e84d33f185" FOREIGN KEY ("productVariantId")
		REFERENCES public.product_variant (id),
	CONSTRAINT "FK_239cfca2a55b98b90b6bef2e44f" FOREIGN KEY ("orderId")
		REFERENCES public."order" (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IDX_729b3eea7ce540930dbb706949" ON public."order" USING btree (code);
CREATE INDEX "IDX_124456e637cca7a415897dce65" ON public."order" USING btree ("customerId");
CREATE INDEX "IDX_7dbc75cb4e8b002620c4dbfdac" ON public.product_translation USING btree ("baseId");
CREATE INDEX "IDX_6e420052844edf3a5506d863ce" ON public.product_variant USING btree ("productId");
CREATE UNIQUE INDEX "IDX_product_variant_sku_active" ON public.product_variant USING btree (sku)
	WHERE "deletedAt" IS NULL;
CREATE INDEX "IDX_26d12be3b5fec6c4adb1d79284" ON public.product_channels_channel USING btree ("productId");
CREATE INDEX "IDX_a51dfbd87c330c075c39832b6e" ON public.product_channels_channel USING btree ("channelId");
CREATE INDEX "IDX_239cfca2a55b98b90b6bef2e44" ON public.order_line USING btree ("orderId");

INSERT INTO public.channel (code, token, "defaultLanguageCode", "defaultCurrencyCode", "pricesIncludeTax")
	VALUES ('__default_channel__', 'demo-token', 'en', 'EUR', true);
