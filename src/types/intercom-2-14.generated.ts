/**
 * GENERATED FILE, DO NOT EDIT. Intercom API 2.14 record types.
 *
 * From shared/intercom-openapi/api.intercom.io.2.14.yaml by scripts/generate-types.mjs
 * (openapi-typescript), keeping only the component schemas the streams return and what they
 * reference. Listed fields are typed as present, but for those in the script's SOMETIMES_ABSENT.
 * Regenerate with: node scripts/generate-types.mjs (a unit test fails while this file is stale).
 */
export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * Activity Log
         * @description Activities performed by Admins.
         */
        activity_log: {
            /**
             * @description The id representing the activity.
             * @example 6
             */
            id: string;
            /** @description Details about the Admin involved in the activity. */
            performed_by: {
                /**
                 * @description String representing the object's type. Always has the value `admin`.
                 * @example admin
                 */
                type: string;
                /**
                 * @description The id representing the admin.
                 * @example 1295
                 */
                id: string;
                /**
                 * @description The email of the admin.
                 * @example john@example.com
                 */
                email: string;
                /**
                 * @description The IP address of the admin.
                 * @example 198.51.100.255
                 */
                ip: string;
            };
            metadata: components["schemas"]["activity_log_metadata"];
            /**
             * Format: date-time
             * @description The time the activity was created.
             * @example 1671028894
             */
            created_at: number;
            /**
             * @example app_name_change
             * @enum {string}
             */
            activity_type: "admin_conversation_assignment_limit_change" | "admin_ticket_assignment_limit_change" | "admin_avatar_change" | "admin_away_mode_change" | "admin_deletion" | "admin_deprovisioned" | "admin_impersonation_end" | "admin_impersonation_start" | "admin_impersonation_consent_approved" | "admin_impersonation_consent_revoked" | "admin_invite_change" | "admin_invite_creation" | "admin_invite_deletion" | "admin_login_failure" | "admin_login_success" | "admin_logout" | "admin_occupancy_setting_change" | "admin_occupancy_state_change" | "admin_password_reset_request" | "admin_password_reset_success" | "admin_permission_change" | "admin_provisioned" | "admin_two_factor_auth_change" | "admin_unauthorized_sign_in_method" | "app_admin_join" | "app_authentication_method_change" | "app_data_deletion" | "app_data_export" | "app_google_sso_domain_change" | "app_identity_verification_change" | "app_name_change" | "app_outbound_address_change" | "app_package_installation" | "app_package_token_regeneration" | "app_package_uninstallation" | "app_team_creation" | "app_team_deletion" | "app_team_membership_modification" | "app_timezone_change" | "app_webhook_creation" | "app_webhook_deletion" | "articles_in_messenger_enabled_change" | "automatic_away_mode_setting_change" | "bulk_delete" | "bulk_export" | "campaign_deletion" | "campaign_state_change" | "conversation_part_deletion" | "conversation_pdf_export" | "conversation_topic_change" | "conversation_topic_creation" | "conversation_topic_deletion" | "custom_authentication_token_creation" | "customer_facing_name_change" | "help_center_settings_change" | "inbound_conversations_change" | "inbox_access_change" | "macro_creation" | "macro_deletion" | "macro_update" | "macro_usage_export" | "malicious_domains_setting_change" | "message_deletion" | "message_state_change" | "messenger_api_secret_creation" | "messenger_api_secret_deletion" | "messenger_look_and_feel_change" | "messenger_search_required_change" | "messenger_spaces_change" | "oauth_token_revocation" | "office_hours_change" | "role_change" | "role_creation" | "role_deletion" | "ruleset_activation_title_preview" | "ruleset_creation" | "ruleset_deletion" | "search_browse_enabled_change" | "search_browse_required_change" | "seat_change" | "seat_revoke" | "security_settings_change" | "series_creation" | "series_deletion" | "series_settings_update" | "series_status_change" | "series_update" | "strip_inbound_email_links_change" | "temporary_expectation_change" | "team_assignment_limit_change" | "trusted_domains_setting_change" | "unassign_unsnoozed_at_capacity_setting_change" | "unassign_unsnoozed_when_away_setting_change" | "upfront_email_collection_change" | "allowed_attachment_filetypes_setting_change" | "attach_uploads_inline_setting_change" | "teammate_gifs_setting_change" | "user_camera_attachments_setting_change" | "user_conversation_attachments_setting_change" | "user_file_attachments_setting_change" | "user_gifs_setting_change" | "user_media_attachments_setting_change" | "user_voice_notes_setting_change" | "welcome_message_change" | "workspace_deletion_request";
            /**
             * @description A sentence or two describing the activity.
             * @example Admin updated the app's name to "My App".
             */
            activity_description: string;
        } | null;
        /**
         * Activity Log Metadata
         * @description Additional data provided about Admin activity.
         */
        activity_log_metadata: {
            /**
             * @description The way the admin signed in.
             * @example email_password
             */
            sign_in_method: string | null;
            /**
             * @description The unique identifier for the contact which is provided by the Client.
             * @example f3b87a2e09d514c6c2e79b9a
             */
            external_id: string | null;
            /**
             * @description The away mode status which is set to true when away and false when returned.
             * @example true
             */
            away_mode: boolean | null;
            /**
             * @description The reason the Admin is away.
             * @example 😌 On a break
             */
            away_status_reason: string | null;
            /**
             * @description Indicates if conversations should be reassigned while an Admin is away.
             * @example false
             */
            reassign_conversations: boolean | null;
            /**
             * @description The action that initiated the status change.
             * @example admin update from web - Admin id: 93
             */
            source: string | null;
            /**
             * @description Indicates if the status was changed automatically or manually.
             * @example false
             */
            auto_changed: string | null;
            /**
             * @description The ID of the Admin who initiated the activity.
             * @example 93
             */
            update_by: number | null;
            /**
             * @description The name of the Admin who initiated the activity.
             * @example Joe Example
             */
            update_by_name: string | null;
            /**
             * @description The state before the change. `idle` or `occupied`, and null when the Admin had not been classified yet.
             * @example idle
             */
            previous_state: string | null;
            /**
             * @description The state after the change. `idle` or `occupied`.
             * @example occupied
             */
            new_state: string | null;
            /**
             * @description The inactivity window, in minutes, used to classify the Admin.
             * @example 15
             */
            threshold_minutes: number | null;
            /**
             * Format: date-time
             * @description The time of the Admin's last recorded activity.
             * @example 1671028894
             */
            last_activity_at: number | null;
            /**
             * @description Indicates the state was derived automatically rather than set by an Admin.
             * @example true
             */
            auto: boolean | null;
            /**
             * @description The group of workspace settings the change belongs to, for example `teammate_occupancy` or `automatic_away_mode`.
             * @example teammate_occupancy
             */
            setting_type: string | null;
            /**
             * @description The settings altered by the change, keyed by setting name. Only settings whose value actually moved are included, so an unchanged setting is absent rather than present with equal values.
             * @example {
             *       "occupancy_window_minutes": {
             *         "before": 15,
             *         "after": 30
             *       }
             *     }
             */
            changes: {
                [key: string]: {
                    /** @description The value before the change. */
                    before: unknown;
                    /** @description The value after the change. */
                    after: unknown;
                };
            } | null;
            /**
             * @description The conversation assignment limit value for an admin.
             * @example 15
             */
            conversation_assignment_limit: number | null;
            /**
             * @description The ticket assignment limit value for an admin.
             * @example 20
             */
            ticket_assignment_limit: number | null;
            /** @description Details about the team whose assignment limit was changed. */
            team: {
                /**
                 * @description The ID of the team.
                 * @example 123
                 */
                id: number;
                /**
                 * @description The name of the team.
                 * @example Support Team
                 */
                name: string;
            } | null;
            /**
             * @description The team assignment limit value (null if limit was removed).
             * @example 50
             */
            team_assignment_limit: number | null;
            /**
             * @description Indicates if the setting is enabled or disabled.
             * @example true
             */
            enabled: boolean | null;
            /**
             * @description The ID of the impersonation consent.
             * @example 149673
             */
            consent_id: number | null;
            /**
             * Format: date-time
             * @description The timestamp when the impersonation consent expires.
             * @example 2025-12-04T09:31:57.000Z
             */
            expired_at: string | null;
            /** @description The state of settings or values before the change. Structure varies by activity type. */
            before: Record<string, never> | null;
            /** @description The state of settings or values after the change. Structure varies by activity type. */
            after: Record<string, never> | null;
        } | null;
        /**
         * Addressable List
         * @description A list used to access other resources from a parent model.
         */
        addressable_list: {
            /**
             * Format: uri
             * @description The addressable object type
             * @example note
             */
            type: string;
            /**
             * @description The id of the addressable object
             * @example 123
             */
            id: string;
            /**
             * Format: uri
             * @description Url to get more company resources for this contact
             * @example /contacts/5ba682d23d7cf92bef87bfd4/notes
             */
            url: string;
        };
        /**
         * Admin
         * @description Admins are teammate accounts that have access to a workspace.
         */
        admin: {
            /**
             * @description String representing the object's type. Always has the value `admin`.
             * @example admin
             */
            type: string;
            /**
             * @description The id representing the admin.
             * @example 1295
             */
            id: string;
            /**
             * @description The name of the admin.
             * @example Joe Example
             */
            name: string;
            /**
             * @description The email of the admin.
             * @example jdoe@example.com
             */
            email: string;
            /**
             * @description The job title of the admin.
             * @example Associate
             */
            job_title: string;
            /**
             * @description Identifies if this admin is currently set in away mode.
             * @example false
             */
            away_mode_enabled: boolean;
            /**
             * @description Identifies if this admin is set to automatically reassign new conversations to the apps default inbox.
             * @example false
             */
            away_mode_reassign: boolean;
            /**
             * @description The unique identifier of the away status reason
             * @example 12345
             */
            away_status_reason_id?: number | null;
            /**
             * @description Identifies if this admin has a paid inbox seat to restrict/allow features that require them.
             * @example true
             */
            has_inbox_seat: boolean;
            /**
             * @description This object represents the avatar associated with the admin.
             * @example [
             *       814865
             *     ]
             */
            team_ids: number[];
            /**
             * Format: uri
             * @description Image for the associated team or teammate
             * @example https://picsum.photos/200/300
             */
            avatar: string | null;
            team_priority_level: components["schemas"]["team_priority_level"];
        } | null;
        /**
         * Admin Priority Level
         * @description Admin priority levels for the team
         */
        admin_priority_level: {
            /**
             * @description The primary admin ids for the team
             * @example [
             *       493881
             *     ]
             */
            primary_admin_ids: number[] | null;
            /**
             * @description The secondary admin ids for the team
             * @example [
             *       814865
             *     ]
             */
            secondary_admin_ids: number[] | null;
        } | null;
        /**
         * AI Agent
         * @description Data related to AI Agent involvement in the conversation.
         */
        ai_agent: {
            /**
             * @description The type of the source that triggered AI Agent involvement in the conversation.
             * @example workflow
             * @enum {string|null}
             */
            source_type: "essentials_plan_setup" | "profile" | "workflow" | "workflow_preview" | "fin_preview" | null;
            /**
             * @description The title of the source that triggered AI Agent involvement in the conversation. If this is `essentials_plan_setup` then it will return `null`.
             * @example My AI Workflow
             */
            source_title: string | null;
            /**
             * @description The type of the last answer delivered by AI Agent. If no answer was delivered then this will return `null`
             * @example ai_answer
             * @enum {string|null}
             */
            last_answer_type: null | "ai_answer" | "custom_answer";
            /**
             * @description The resolution state of AI Agent. If no AI or custom answer has been delivered then this will return `null`.
             * @example assumed_resolution
             * @enum {string|null}
             */
            resolution_state: "assumed_resolution" | "confirmed_resolution" | "routed_to_team" | "abandoned" | null;
            /**
             * @description The customer satisfaction rating given to AI Agent, from 1-5.
             * @example 4
             */
            rating: number | null;
            /**
             * @description The customer satisfaction rating remark given to AI Agent.
             * @example Very helpful!
             */
            rating_remark: string | null;
            /**
             * Format: date-time
             * @description The time when the AI agent rating was created.
             * @example 1663597260
             */
            created_at: number | null;
            /**
             * Format: date-time
             * @description The time when the AI agent rating was last updated.
             * @example 1663597260
             */
            updated_at: number | null;
            content_sources: components["schemas"]["content_sources_list"];
        };
        /**
         * Article
         * @description The Articles API is a central place to gather all information and take actions on your articles. Articles can live within collections and sections, or alternatively they can stand alone.
         */
        article: {
            statistics: components["schemas"]["article_statistics"];
        } & components["schemas"]["article_list_item"];
        /**
         * Article Content
         * @description The Content of an Article.
         */
        article_content: {
            /**
             * @description The type of object - `article_content` .
             * @example article_content
             * @enum {string|null}
             */
            type: null | "article_content";
            /**
             * @description The title of the article.
             * @example How to create a new article
             */
            title: string;
            /**
             * @description The description of the article.
             * @example This article will show you how to create a new article.
             */
            description: string;
            /**
             * @description The body of the article.
             * @example This is the body of the article.
             */
            body: string;
            /**
             * @description The ID of the author of the article.
             * @example 5017691
             */
            author_id: number;
            /**
             * @description Whether the article is `published` or is a `draft` .
             * @example draft
             * @enum {string}
             */
            state: "published" | "draft";
            /**
             * Format: date-time
             * @description The time when the article was created (seconds).
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The time when the article was last updated (seconds).
             * @example 1663597260
             */
            updated_at: number;
            /**
             * @description The URL of the article.
             * @example http://intercom.test/help/en/articles/3-default-language
             */
            url: string;
        } | null;
        /**
         * Articles
         * @description The data returned about your articles when you list them.
         */
        article_list_item: {
            /**
             * @description The type of object - `article`.
             * @default article
             * @example article
             * @enum {string}
             */
            type: "article";
            /**
             * @description The unique identifier for the article which is given by Intercom.
             * @example 6871119
             */
            id: string;
            /**
             * @description The id of the workspace which the article belongs to.
             * @example hfi1bx4l
             */
            workspace_id: string;
            /**
             * @description The title of the article. For multilingual articles, this will be the title of the default language's content.
             * @example Default language title
             */
            title: string;
            /**
             * @description The description of the article. For multilingual articles, this will be the description of the default language's content.
             * @example Default language description
             */
            description: string | null;
            /**
             * @description The body of the article in HTML. For multilingual articles, this will be the body of the default language's content.
             * @example Default language body in html
             */
            body: string | null;
            /**
             * @description The id of the author of the article. For multilingual articles, this will be the id of the author of the default language's content. Must be a teammate on the help center's workspace.
             * @example 5017691
             */
            author_id: number;
            /**
             * @description Whether the article is `published` or is a `draft`. For multilingual articles, this will be the state of the default language's content.
             * @default draft
             * @example published
             * @enum {string}
             */
            state: "published" | "draft";
            /**
             * Format: date-time
             * @description The time when the article was created. For multilingual articles, this will be the timestamp of creation of the default language's content in seconds.
             * @example 1672928359
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The time when the article was last updated. For multilingual articles, this will be the timestamp of last update of the default language's content in seconds.
             * @example 1672928610
             */
            updated_at: number;
            /**
             * @description The URL of the article. For multilingual articles, this will be the URL of the default language's content.
             * @example http://intercom.test/help/en/articles/3-default-language
             */
            url: string | null;
            /**
             * @description The id of the article's parent collection or section. An article without this field stands alone.
             * @example 125685
             */
            parent_id: number | null;
            /**
             * @description The ids of the article's parent collections or sections. An article without this field stands alone.
             * @example [
             *       18,
             *       19
             *     ]
             */
            parent_ids: number[];
            /**
             * @description The type of parent, which can either be a `collection` or `section`.
             * @example collection
             */
            parent_type: string | null;
            /**
             * @description The default locale of the help center. This field is only returned for multilingual help centers.
             * @example en
             */
            default_locale: string;
            translated_content?: components["schemas"]["article_translated_content"];
            tags: components["schemas"]["tags"];
        };
        /**
         * Article Statistics
         * @description The statistics of an article.
         */
        article_statistics: {
            /**
             * @description The type of object - `article_statistics`.
             * @default article_statistics
             * @example article_statistics
             * @enum {string}
             */
            type: "article_statistics";
            /**
             * @description The number of total views the article has received.
             * @example 10
             */
            views: number;
            /**
             * @description The number of conversations started from the article.
             * @example 0
             */
            conversions: number;
            /**
             * @description The number of total reactions the article has received.
             * @example 10
             */
            reactions: number;
            /**
             * Format: float
             * @description The percentage of happy reactions the article has received against other types of reaction.
             * @example 40
             */
            happy_reaction_percentage: number;
            /**
             * Format: float
             * @description The percentage of neutral reactions the article has received against other types of reaction.
             * @example 40
             */
            neutral_reaction_percentage: number;
            /**
             * Format: float
             * @description The percentage of sad reactions the article has received against other types of reaction.
             * @example 20
             */
            sad_reaction_percentage: number;
        } | null;
        /**
         * Article Translated Content
         * @description The Translated Content of an Article. The keys are the locale codes and the values are the translated content of the article.
         */
        article_translated_content: {
            /**
             * @description The type of object - article_translated_content.
             * @example article_translated_content
             * @enum {string|null}
             */
            type: null | "article_translated_content";
            /** @description The content of the article in Arabic */
            ar: components["schemas"]["article_content"];
            /** @description The content of the article in Bulgarian */
            bg: components["schemas"]["article_content"];
            /** @description The content of the article in Bosnian */
            bs: components["schemas"]["article_content"];
            /** @description The content of the article in Catalan */
            ca: components["schemas"]["article_content"];
            /** @description The content of the article in Czech */
            cs: components["schemas"]["article_content"];
            /** @description The content of the article in Danish */
            da: components["schemas"]["article_content"];
            /** @description The content of the article in German */
            de: components["schemas"]["article_content"];
            /** @description The content of the article in Greek */
            el: components["schemas"]["article_content"];
            /** @description The content of the article in English */
            en: components["schemas"]["article_content"];
            /** @description The content of the article in Spanish */
            es: components["schemas"]["article_content"];
            /** @description The content of the article in Estonian */
            et: components["schemas"]["article_content"];
            /** @description The content of the article in Finnish */
            fi: components["schemas"]["article_content"];
            /** @description The content of the article in French */
            fr: components["schemas"]["article_content"];
            /** @description The content of the article in Hebrew */
            he: components["schemas"]["article_content"];
            /** @description The content of the article in Croatian */
            hr: components["schemas"]["article_content"];
            /** @description The content of the article in Hungarian */
            hu: components["schemas"]["article_content"];
            /** @description The content of the article in Indonesian */
            id: components["schemas"]["article_content"];
            /** @description The content of the article in Italian */
            it: components["schemas"]["article_content"];
            /** @description The content of the article in Japanese */
            ja: components["schemas"]["article_content"];
            /** @description The content of the article in Korean */
            ko: components["schemas"]["article_content"];
            /** @description The content of the article in Lithuanian */
            lt: components["schemas"]["article_content"];
            /** @description The content of the article in Latvian */
            lv: components["schemas"]["article_content"];
            /** @description The content of the article in Mongolian */
            mn: components["schemas"]["article_content"];
            /** @description The content of the article in Norwegian */
            nb: components["schemas"]["article_content"];
            /** @description The content of the article in Dutch */
            nl: components["schemas"]["article_content"];
            /** @description The content of the article in Polish */
            pl: components["schemas"]["article_content"];
            /** @description The content of the article in Portuguese (Portugal) */
            pt: components["schemas"]["article_content"];
            /** @description The content of the article in Romanian */
            ro: components["schemas"]["article_content"];
            /** @description The content of the article in Russian */
            ru: components["schemas"]["article_content"];
            /** @description The content of the article in Slovenian */
            sl: components["schemas"]["article_content"];
            /** @description The content of the article in Serbian */
            sr: components["schemas"]["article_content"];
            /** @description The content of the article in Swedish */
            sv: components["schemas"]["article_content"];
            /** @description The content of the article in Turkish */
            tr: components["schemas"]["article_content"];
            /** @description The content of the article in Vietnamese */
            vi: components["schemas"]["article_content"];
            /** @description The content of the article in Portuguese (Brazil) */
            "pt-BR": components["schemas"]["article_content"];
            /** @description The content of the article in Chinese (China) */
            "zh-CN": components["schemas"]["article_content"];
            /** @description The content of the article in Chinese (Taiwan) */
            "zh-TW": components["schemas"]["article_content"];
        } | null;
        /**
         * Collection
         * @description Collections are top level containers for Articles within the Help Center.
         */
        collection: {
            /**
             * @description The unique identifier for the collection which is given by Intercom.
             * @example 6871119
             */
            id: string;
            /**
             * @description The id of the workspace which the collection belongs to.
             * @example hfi1bx4l
             */
            workspace_id: string;
            /**
             * @description The name of the collection. For multilingual collections, this will be the name of the default language's content.
             * @example Default language name
             */
            name: string;
            /**
             * @description The description of the collection. For multilingual help centers, this will be the description of the collection for the default language.
             * @example Default language description
             */
            description: string | null;
            /**
             * Format: date-time
             * @description The time when the article was created (seconds). For multilingual articles, this will be the timestamp of creation of the default language's content.
             * @example 1672928359
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The time when the article was last updated (seconds). For multilingual articles, this will be the timestamp of last update of the default language's content.
             * @example 1672928610
             */
            updated_at: number;
            /**
             * @description The URL of the collection. For multilingual help centers, this will be the URL of the collection for the default language.
             * @example http://intercom.test/help/collection/name
             */
            url: string | null;
            /**
             * @description The icon of the collection.
             * @example book-bookmark
             */
            icon: string | null;
            /**
             * @description The order of the section in relation to others sections within a collection. Values go from `0` upwards. `0` is the default if there's no order.
             * @example 1
             */
            order: number;
            /**
             * @description The default locale of the help center. This field is only returned for multilingual help centers.
             * @example en
             */
            default_locale: string;
            translated_content?: components["schemas"]["group_translated_content"];
            /**
             * @description The id of the parent collection. If `null` then it is the first level collection.
             * @example 6871118
             */
            parent_id: string | null;
            /**
             * @description The id of the help center the collection is in.
             * @example 123
             */
            help_center_id: number | null;
        };
        /**
         * Company
         * @description Companies allow you to represent organizations using your product. Each company will have its own description and be associated with contacts. You can fetch, create, update and list companies.
         */
        company: {
            /**
             * @description Value is `company`
             * @example company
             * @enum {string}
             */
            type: "company";
            /**
             * @description The Intercom defined id representing the company.
             * @example 531ee472cce572a6ec000006
             */
            id: string;
            /**
             * @description The name of the company.
             * @example Blue Sun
             */
            name: string;
            /**
             * @description The Intercom defined code of the workspace the company is associated to.
             * @example ecahpwf5
             */
            app_id: string;
            plan: {
                /**
                 * @description Value is always "plan"
                 * @example plan
                 */
                type: string;
                /**
                 * @description The id of the plan
                 * @example 269315
                 */
                id: string;
                /**
                 * @description The name of the plan
                 * @example Pro
                 */
                name: string;
            };
            /**
             * @description The company id you have defined for the company.
             * @example 6
             */
            company_id: string;
            /**
             * @description The time the company was created by you.
             * @example 1663597223
             */
            remote_created_at: number;
            /**
             * @description The time the company was added in Intercom.
             * @example 1663597223
             */
            created_at: number;
            /**
             * @description The last time the company was updated.
             * @example 1663597223
             */
            updated_at: number;
            /**
             * @description The time the company last recorded making a request.
             * @example 1663597223
             */
            last_request_at: number;
            /**
             * @description The number of employees in the company.
             * @example 100
             */
            size: number;
            /**
             * @description The URL for the company website.
             * @example https://www.intercom.com
             */
            website: string;
            /**
             * @description The industry that the company operates in.
             * @example Software
             */
            industry: string;
            /**
             * @description How much revenue the company generates for your business.
             * @example 100
             */
            monthly_spend: number;
            /**
             * @description How many sessions the company has recorded.
             * @example 100
             */
            session_count: number;
            /**
             * @description The number of users in the company.
             * @example 100
             */
            user_count: number;
            /**
             * @description The custom attributes you have set on the company.
             * @example {
             *       "paid_subscriber": true,
             *       "monthly_spend": 155.5,
             *       "team_mates": 9
             *     }
             */
            custom_attributes: {
                [key: string]: string;
            };
            /** @description The list of tags associated with the company */
            tags: {
                /**
                 * @description The type of the object
                 * @enum {string}
                 */
                type: "tag.list";
                tags: components["schemas"]["tag_basic"][];
            };
            /** @description The list of segments associated with the company */
            segments: {
                /**
                 * @description The type of the object
                 * @enum {string}
                 */
                type: "segment.list";
                segments: components["schemas"]["segment"][];
            };
        };
        /**
         * Company Data
         * @description An object containing data about the companies that a contact is associated with.
         */
        company_data: {
            /**
             * @description The unique identifier for the company which is given by Intercom.
             * @example 5ba682d23d7cf92bef87bfd4
             */
            id: string;
            /**
             * @description The type of the object. Always company.
             * @example company
             * @enum {string}
             */
            type: "company";
            /**
             * Format: uri
             * @description The relative URL of the company.
             * @example /companies/5ba682d23d7cf92bef87bfd4
             */
            url: string;
        };
        /**
         * Contact
         * @description Contacts represent your leads and users in Intercom.
         */
        contact: {
            /**
             * @description The type of object.
             * @example contact
             */
            type: string;
            /**
             * @description The unique identifier for the contact which is given by Intercom.
             * @example 5ba682d23d7cf92bef87bfd4
             */
            id: string;
            /**
             * @description The unique identifier for the contact which is provided by the Client.
             * @example f3b87a2e09d514c6c2e79b9a
             */
            external_id: string | null;
            /**
             * @description The id of the workspace which the contact belongs to.
             * @example ecahpwf5
             */
            workspace_id: string;
            /**
             * @description The role of the contact.
             * @example user
             */
            role: string;
            /**
             * @description The contact's email.
             * @example joe@example.com
             */
            email: string;
            /**
             * @description The contact's email domain.
             * @example example.com
             */
            email_domain: string;
            /**
             * @description The contacts phone.
             * @example +1123456789
             */
            phone: string | null;
            /**
             * @description The contacts name.
             * @example John Doe
             */
            name: string | null;
            /**
             * @description The id of an admin that has been assigned account ownership of the contact.
             * @example 123
             */
            owner_id: number | null;
            /**
             * @description Whether the contact has had an email sent to them hard bounce.
             * @example true
             */
            has_hard_bounced: boolean;
            /**
             * @description Whether the contact has marked an email sent to them as spam.
             * @example true
             */
            marked_email_as_spam: boolean;
            /**
             * @description Whether the contact is unsubscribed from emails.
             * @example true
             */
            unsubscribed_from_emails: boolean;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact was created.
             * @example 1571672154
             */
            created_at: number;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact was last updated.
             * @example 1571672154
             */
            updated_at: number;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time specified for when a contact signed up.
             * @example 1571672154
             */
            signed_up_at: number | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact was last seen (either where the Intercom Messenger was installed or when specified manually).
             * @example 1571672154
             */
            last_seen_at: number | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact last messaged in.
             * @example 1571672154
             */
            last_replied_at: number | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact was last messaged.
             * @example 1571672154
             */
            last_contacted_at: number | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact last opened an email.
             * @example 1571672154
             */
            last_email_opened_at: number | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact last clicked a link in an email.
             * @example 1571672154
             */
            last_email_clicked_at: number | null;
            /**
             * @description A preferred language setting for the contact, used by the Intercom Messenger even if their browser settings change.
             * @example en
             */
            language_override: string | null;
            /**
             * @description The name of the browser which the contact is using.
             * @example Chrome
             */
            browser: string | null;
            /**
             * @description The version of the browser which the contact is using.
             * @example 80.0.3987.132
             */
            browser_version: string | null;
            /**
             * @description The language set by the browser which the contact is using.
             * @example en-US
             */
            browser_language: string | null;
            /**
             * @description The operating system which the contact is using.
             * @example Mac OS X
             */
            os: string | null;
            /**
             * @description The name of the Android app which the contact is using.
             * @example Intercom
             */
            android_app_name: string | null;
            /**
             * @description The version of the Android app which the contact is using.
             * @example 5.0.0
             */
            android_app_version: string | null;
            /**
             * @description The Android device which the contact is using.
             * @example Pixel 3
             */
            android_device: string | null;
            /**
             * @description The version of the Android OS which the contact is using.
             * @example 10
             */
            android_os_version: string | null;
            /**
             * @description The version of the Android SDK which the contact is using.
             * @example 28
             */
            android_sdk_version: string | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The time when the contact was last seen on an Android device.
             * @example 1571672154
             */
            android_last_seen_at: number | null;
            /**
             * @description The name of the iOS app which the contact is using.
             * @example Intercom
             */
            ios_app_name: string | null;
            /**
             * @description The version of the iOS app which the contact is using.
             * @example 5.0.0
             */
            ios_app_version: string | null;
            /**
             * @description The iOS device which the contact is using.
             * @example iPhone 11
             */
            ios_device: string | null;
            /**
             * @description The version of iOS which the contact is using.
             * @example 13.3.1
             */
            ios_os_version: string | null;
            /**
             * @description The version of the iOS SDK which the contact is using.
             * @example 13.3.1
             */
            ios_sdk_version: string | null;
            /**
             * Format: date-time
             * @description (Unix timestamp in seconds) The last time the contact used the iOS app.
             * @example 1571672154
             */
            ios_last_seen_at: number | null;
            /** @description The custom attributes which are set for the contact. */
            custom_attributes: Record<string, never>;
            avatar: {
                /**
                 * @description The type of object
                 * @example avatar
                 */
                type: string;
                /**
                 * Format: uri
                 * @description An image URL containing the avatar of a contact.
                 * @example https://example.org/128Wash.jpg
                 */
                image_url: string | null;
            } | null;
            tags: components["schemas"]["contact_tags"];
            notes: components["schemas"]["contact_notes"];
            companies: components["schemas"]["contact_companies"];
            location: components["schemas"]["contact_location"];
            social_profiles: components["schemas"]["contact_social_profiles"];
        };
        /**
         * Contact companies
         * @description An object with metadata about companies attached to a contact . Up to 10 will be displayed here. Use the url to get more.
         */
        contact_companies: {
            /** @description An array of company data objects attached to the contact. */
            data: components["schemas"]["company_data"][];
            /**
             * Format: uri
             * @description Url to get more company resources for this contact
             * @example /contacts/5ba682d23d7cf92bef87bfd4/companies
             */
            url: string;
            /**
             * @description Integer representing the total number of companies attached to this contact
             * @example 100
             */
            total_count: number;
            /**
             * @description Whether there's more Addressable Objects to be viewed. If true, use the url to view all
             * @example true
             */
            has_more: boolean;
        };
        /**
         * Contact Location
         * @description An object containing location meta data about a Intercom contact.
         */
        contact_location: {
            /**
             * @description Always location
             * @example location
             */
            type: string | null;
            /**
             * @description The country that the contact is located in
             * @example Ireland
             */
            country: string | null;
            /**
             * @description The overal region that the contact is located in
             * @example Dublin
             */
            region: string | null;
            /**
             * @description The city that the contact is located in
             * @example Dublin
             */
            city: string | null;
        };
        /**
         * Contact notes
         * @description An object containing notes meta data about the notes that a contact has. Up to 10 will be displayed here. Use the url to get more.
         */
        contact_notes: {
            /** @description This object represents the notes attached to a contact. */
            data: components["schemas"]["addressable_list"][];
            /**
             * Format: uri
             * @description Url to get more company resources for this contact
             * @example /contacts/5ba682d23d7cf92bef87bfd4/notes
             */
            url: string;
            /**
             * @description Int representing the total number of companyies attached to this contact
             * @example 100
             */
            total_count: number;
            /**
             * @description Whether there's more Addressable Objects to be viewed. If true, use the url to view all
             * @example true
             */
            has_more: boolean;
        };
        /**
         * Contact Reference
         * @description reference to contact object
         */
        contact_reference: {
            /**
             * @description always contact
             * @example contact
             * @enum {string}
             */
            type: "contact";
            /**
             * @description The unique identifier for the contact which is given by Intercom.
             * @example 5ba682d23d7cf92bef87bfd4
             */
            id: string;
            /**
             * @description The unique identifier for the contact which is provided by the Client.
             * @example 70
             */
            external_id: string | null;
        };
        /**
         * Social Profile
         * @description An object containing social profiles that a contact has.
         */
        contact_social_profiles: {
            /** @description A list of social profiles objects associated with the contact. */
            data: components["schemas"]["social_profile"][];
        };
        /**
         * Contact Tags
         * @description An object containing tags meta data about the tags that a contact has. Up to 10 will be displayed here. Use the url to get more.
         */
        contact_tags: {
            /** @description This object represents the tags attached to a contact. */
            data: components["schemas"]["addressable_list"][];
            /**
             * Format: uri
             * @description url to get more tag resources for this contact
             * @example /contacts/5ba682d23d7cf92bef87bfd4/tags
             */
            url: string;
            /**
             * @description Int representing the total number of tags attached to this contact
             * @example 100
             */
            total_count: number;
            /**
             * @description Whether there's more Addressable Objects to be viewed. If true, use the url to view all
             * @example true
             */
            has_more: boolean;
        } | null;
        /**
         * Content Source
         * @description The content source used by AI Agent in the conversation.
         */
        content_source: {
            /**
             * @description The type of the content source.
             * @example content_snippet
             * @enum {string}
             */
            content_type: "file" | "article" | "external_content" | "content_snippet" | "workflow_connector_action";
            /**
             * @description The internal URL linking to the content source for teammates.
             * @example /fin-ai-agent/content?content=content_snippet&id=3234924
             */
            url: string;
            /**
             * @description The title of the content source.
             * @example My internal content snippet
             */
            title: string;
            /**
             * @description The ISO 639 language code of the content source.
             * @example en
             */
            locale: string;
        };
        /** Content Source List */
        content_sources_list: {
            /**
             * @example content_source.list
             * @enum {string}
             */
            type: "content_source.list";
            /**
             * @description The total number of content sources used by AI Agent in the conversation.
             * @example 1
             */
            total_count: number;
            /** @description The content sources used by AI Agent in the conversation. */
            content_sources: components["schemas"]["content_source"][];
        };
        /**
         * Conversation
         * @description Conversations are how you can communicate with users in Intercom. They are created when a contact replies to an outbound message, or when one admin directly sends a message to a single contact.
         */
        conversation: {
            /**
             * @description Always conversation.
             * @example conversation
             */
            type: string;
            /**
             * @description The id representing the conversation.
             * @example 1295
             */
            id: string;
            /**
             * @description The title given to the conversation.
             * @example Conversation Title
             */
            title: string | null;
            /**
             * Format: date-time
             * @description The time the conversation was created.
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The last time the conversation was updated.
             * @example 1663597260
             */
            updated_at: number;
            /**
             * Format: date-time
             * @description The last time a Contact responded to an Admin. In other words, the time a customer started waiting for a response. Set to null if last reply is from an Admin.
             * @example 1663597260
             */
            waiting_since: number | null;
            /**
             * Format: date-time
             * @description If set this is the time in the future when this conversation will be marked as open. i.e. it will be in a snoozed state until this time. i.e. it will be in a snoozed state until this time.
             * @example 1663597260
             */
            snoozed_until: number | null;
            /**
             * @description Indicates whether a conversation is open (true) or closed (false).
             * @example true
             */
            open: boolean;
            /**
             * @description Can be set to "open", "closed" or "snoozed".
             * @example open
             * @enum {string}
             */
            state: "open" | "closed" | "snoozed";
            /**
             * @description Indicates whether a conversation has been read.
             * @example true
             */
            read: boolean;
            /**
             * @description If marked as priority, it will return priority or else not_priority.
             * @example priority
             * @enum {string}
             */
            priority: "priority" | "not_priority";
            /**
             * @description The id of the admin assigned to the conversation. If it's not assigned to an admin it will return null.
             * @example 0
             */
            admin_assignee_id: number | null;
            /**
             * @description The id of the team assigned to the conversation. If it's not assigned to a team it will return null.
             * @example 5017691
             */
            team_assignee_id: number | null;
            tags: components["schemas"]["tags"];
            conversation_rating: components["schemas"]["conversation_rating"];
            source: components["schemas"]["conversation_source"];
            contacts: components["schemas"]["conversation_contacts"];
            teammates: components["schemas"]["conversation_teammates"];
            custom_attributes: components["schemas"]["custom_attributes"];
            first_contact_reply: components["schemas"]["conversation_first_contact_reply"];
            sla_applied: components["schemas"]["sla_applied"];
            statistics: components["schemas"]["conversation_statistics"];
            conversation_parts: components["schemas"]["conversation_parts"];
            linked_objects: components["schemas"]["linked_object_list"];
            /**
             * @description Indicates whether the AI Agent participated in the conversation.
             * @example true
             */
            ai_agent_participated: boolean;
            ai_agent: components["schemas"]["ai_agent"];
        };
        /**
         * Part type - conversation_attribute_updated_by_admin
         * @description Contains details about Custom Data Attributes (CDAs) that were modified by an admin (operator) for conversation part type <code>conversation_attribute_updated_by_admin</code>.
         */
        conversation_attribute_updated_by_admin: {
            attribute: {
                /**
                 * @description Name of the CDA updated
                 * @example jira_issue_key
                 */
                name: string;
            };
            value: {
                /**
                 * @description Value of the CDA updated
                 * @example PROJ-007
                 */
                name: string;
            };
        };
        /**
         * Part type - conversation_attribute_updated_by_workflow
         * @description Contains details about the workflow that was triggered and any Custom Data Attributes (CDAs) that were modified during the workflow execution for conversation part type <code>conversation_attribute_updated_by_workflow</code>.
         */
        conversation_attribute_updated_by_workflow: {
            workflow: {
                /**
                 * @description Name of the workflow
                 * @example Workflow 1
                 */
                name: string;
            };
            attribute: {
                /**
                 * @description Name of the CDA updated
                 * @example flight_category
                 */
                name: string;
            };
            value: {
                /**
                 * @description Value of the CDA updated
                 * @example vip_status
                 */
                name: string;
            };
        };
        /**
         * Contacts
         * @description The list of contacts (users or leads) involved in this conversation. This will only contain one customer unless more were added via the group conversation feature.
         */
        conversation_contacts: {
            /**
             * @example contact.list
             * @enum {string}
             */
            type: "contact.list";
            /** @description The list of contacts (users or leads) involved in this conversation. This will only contain one customer unless more were added via the group conversation feature. */
            contacts: components["schemas"]["contact_reference"][];
        };
        /**
         * First contact reply
         * @description An object containing information on the first users message. For a contact initiated message this will represent the users original message.
         */
        conversation_first_contact_reply: {
            /**
             * Format: date-time
             * @example 1663597223
             */
            created_at: number;
            /** @example conversation */
            type: string;
            /** @example https://developers.intercom.com/ */
            url: string | null;
        } | null;
        /**
         * Conversation List Item
         * @description The data returned about your conversations when you list or search them.
         */
        conversation_list_item: {
            /**
             * @description Always conversation.
             * @example conversation
             */
            type: string;
            /**
             * @description The id representing the conversation.
             * @example 1295
             */
            id: string;
            /**
             * @description The title given to the conversation.
             * @example Conversation Title
             */
            title: string | null;
            /**
             * Format: date-time
             * @description The time the conversation was created.
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The last time the conversation was updated.
             * @example 1663597260
             */
            updated_at: number;
            /**
             * Format: date-time
             * @description The last time a Contact responded to an Admin. In other words, the time a customer started waiting for a response. Set to null if last reply is from an Admin.
             * @example 1663597260
             */
            waiting_since: number | null;
            /**
             * Format: date-time
             * @description If set this is the time in the future when this conversation will be marked as open. i.e. it will be in a snoozed state until this time. i.e. it will be in a snoozed state until this time.
             * @example 1663597260
             */
            snoozed_until: number | null;
            /**
             * @description Indicates whether a conversation is open (true) or closed (false).
             * @example true
             */
            open: boolean;
            /**
             * @description Can be set to "open", "closed" or "snoozed".
             * @example open
             * @enum {string}
             */
            state: "open" | "closed" | "snoozed";
            /**
             * @description Indicates whether a conversation has been read.
             * @example true
             */
            read: boolean;
            /**
             * @description If marked as priority, it will return priority or else not_priority.
             * @example priority
             * @enum {string}
             */
            priority: "priority" | "not_priority";
            /**
             * @description The id of the admin assigned to the conversation. If it's not assigned to an admin it will return null.
             * @example 0
             */
            admin_assignee_id: number | null;
            /**
             * @description The id of the team assigned to the conversation. If it's not assigned to a team it will return null.
             * @example 5017691
             */
            team_assignee_id: number | null;
            tags: components["schemas"]["tags"];
            conversation_rating: components["schemas"]["conversation_rating"];
            source: components["schemas"]["conversation_source"];
            contacts: components["schemas"]["conversation_contacts"];
            teammates: components["schemas"]["conversation_teammates"];
            custom_attributes: components["schemas"]["custom_attributes"];
            first_contact_reply: components["schemas"]["conversation_first_contact_reply"];
            sla_applied: components["schemas"]["sla_applied"];
            statistics: components["schemas"]["conversation_statistics"];
            linked_objects: components["schemas"]["linked_object_list"];
            /**
             * @description Indicates whether the AI Agent participated in the conversation.
             * @example true
             */
            ai_agent_participated: boolean;
            ai_agent?: components["schemas"]["ai_agent"];
        };
        /**
         * Conversation Part
         * @description A Conversation Part represents a message in the conversation.
         */
        conversation_part: {
            /**
             * @description Always conversation_part
             * @example conversation_part
             */
            type: string;
            /**
             * @description The id representing the conversation part.
             * @example 3
             */
            id: string;
            /**
             * @description The type of conversation part.
             * @example comment
             */
            part_type: string;
            /**
             * @description The message body, which may contain HTML. For Twitter, this will show a generic message regarding why the body is obscured.
             * @example <p>Okay!</p>
             */
            body: string | null;
            /**
             * Format: date-time
             * @description The time the conversation part was created.
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The last time the conversation part was updated.
             * @example 1663597260
             */
            updated_at: number;
            /**
             * Format: date-time
             * @description The time the user was notified with the conversation part.
             * @example 1663597260
             */
            notified_at: number;
            /** @description The id of the admin that was assigned the conversation by this conversation_part (null if there has been no change in assignment.) */
            assigned_to: components["schemas"]["reference"];
            author: components["schemas"]["conversation_part_author"];
            /**
             * Conversation part attachments
             * @description A list of attachments for the part.
             */
            attachments: components["schemas"]["part_attachment"][];
            /**
             * @description The external id of the conversation part
             * @example abcd1234
             */
            external_id: string | null;
            /**
             * @description Whether or not the conversation part has been redacted.
             * @example false
             */
            redacted: boolean;
            email_message_metadata?: components["schemas"]["email_message_metadata"];
            metadata?: components["schemas"]["conversation_part_metadata"];
            /**
             * @description Indicates the current state of conversation when the conversation part was created.
             * @example open
             * @enum {string}
             */
            state: "open" | "closed" | "snoozed";
            /** @description A list of tags objects associated with the conversation part. */
            tags?: components["schemas"]["tag_basic"][] | null;
            event_details?: components["schemas"]["event_details"];
            /**
             * @description The app package code if this part was created via API. null if the part was not created via API.
             * @example test-integration
             */
            app_package_code?: string | null;
        };
        /**
         * Conversation part author
         * @description The object who initiated the conversation, which can be a Contact, Admin or Team. Bots and campaigns send messages on behalf of Admins or Teams. For Twitter, this will be blank.
         */
        conversation_part_author: {
            /**
             * @description The type of the author
             * @example admin
             */
            type: string;
            /**
             * @description The id of the author
             * @example 274
             */
            id: string;
            /**
             * @description The name of the author
             * @example Operator
             */
            name: string | null;
            /**
             * Format: email
             * @description The email of the author
             * @example operator+abcd1234@intercom.io
             */
            email: string;
            /**
             * @description If this conversation part was sent by the AI Agent
             * @example true
             */
            from_ai_agent: boolean;
            /**
             * @description If this conversation part body was generated by the AI Agent
             * @example false
             */
            is_ai_answer: boolean;
        };
        /**
         * Conversation Part Metadata
         * @description Metadata for a conversation part
         */
        conversation_part_metadata: {
            /** @description The quick reply options sent by the Admin or bot, presented in this conversation part. */
            quick_reply_options: ({
                /**
                 * @description The translations for the quick reply option.
                 * @example {
                 *       "en": "Hello",
                 *       "fr": "Bonjour"
                 *     }
                 */
                translations: Record<string, never> | null;
            } & components["schemas"]["quick_reply_option"])[];
            /**
             * Format: uuid
             * @description The unique identifier for the quick reply option that was clicked by the end user.
             * @example 123e4567-e89b-12d3-a456-426614174000
             */
            quick_reply_uuid: string;
        };
        /**
         * Conversation Parts
         * @description A list of Conversation Part objects for each part message in the conversation. This is only returned when Retrieving a Conversation, and ignored when Listing all Conversations. There is a limit of 500 parts.
         */
        conversation_parts: {
            /**
             * @example conversation_part.list
             * @enum {string}
             */
            type: "conversation_part.list";
            /**
             * Conversation Parts
             * @description A list of Conversation Part objects for each part message in the conversation. This is only returned when Retrieving a Conversation, and ignored when Listing all Conversations. There is a limit of 500 parts.
             */
            conversation_parts: components["schemas"]["conversation_part"][];
            /** @example 1 */
            total_count: number;
        };
        /**
         * Conversation Rating
         * @description The Conversation Rating object which contains information on the rating and/or remark added by a Contact and the Admin assigned to the conversation.
         */
        conversation_rating: {
            /**
             * @description The rating, between 1 and 5, for the conversation.
             * @example 5
             */
            rating: number;
            /**
             * @description An optional field to add a remark to correspond to the number rating
             * @example
             */
            remark: string;
            /**
             * Format: date-time
             * @description The time the rating was requested in the conversation being rated.
             * @example 1671028894
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The time the rating was last updated.
             * @example 1671028894
             */
            updated_at: number;
            contact: components["schemas"]["contact_reference"];
            teammate: components["schemas"]["reference"];
        } | null;
        /**
         * Conversation response time
         * @description Details of first response time of assigned team in seconds.
         */
        conversation_response_time: {
            /**
             * @description Id of the assigned team.
             * @example 100
             */
            team_id: number;
            /**
             * @description Name of the assigned Team, null if team does not exist, Unassigned if no team is assigned.
             * @example Team One
             */
            team_name: string;
            /**
             * @description First response time of assigned team in seconds.
             * @example 2310
             */
            response_time: number;
        };
        /**
         * Conversation source
         * @description The type of the conversation part that started this conversation. Can be Contact, Admin, Campaign, Automated or Operator initiated.
         */
        conversation_source: {
            /**
             * @description This includes conversation, email, facebook, instagram, phone_call, phone_switch, push, sms, twitter and whatsapp.
             * @example conversation
             * @enum {string}
             */
            type: "conversation" | "email" | "facebook" | "instagram" | "phone_call" | "phone_switch" | "push" | "sms" | "twitter" | "whatsapp";
            /**
             * @description The id representing the message.
             * @example 3
             */
            id: string;
            /**
             * @description The conversation's initiation type. Possible values are customer_initiated, campaigns_initiated (legacy campaigns), operator_initiated (Custom bot), automated (Series and other outbounds with dynamic audience message) and admin_initiated (fixed audience message, ticket initiated by an admin, group email).
             * @example operator_initiated
             */
            delivered_as: string;
            /**
             * @description Optional. The message subject. For Twitter, this will show a generic message regarding why the subject is obscured.
             * @example
             */
            subject: string;
            /**
             * @description The message body, which may contain HTML. For Twitter, this will show a generic message regarding why the body is obscured.
             * @example <p>Hey there!</p>
             */
            body: string;
            author: components["schemas"]["conversation_part_author"];
            /** @description A list of attachments for the part. */
            attachments: components["schemas"]["part_attachment"][];
            /**
             * @description The URL where the conversation was started. For Twitter, Email, and Bots, this will be blank.
             * @example null
             */
            url: string | null;
            /**
             * @description Whether or not the source message has been redacted. Only applicable for contact initiated messages.
             * @example false
             */
            redacted: boolean;
        };
        /**
         * Conversation statistics
         * @description A Statistics object containing all information required for reporting, with timestamps and calculated metrics.
         */
        conversation_statistics: {
            /** @example conversation_statistics */
            type: string;
            /**
             * @description Duration until last assignment before first admin reply. In seconds.
             * @example 2310
             */
            time_to_assignment: number;
            /**
             * @description Duration until first admin reply. Subtracts out of business hours. In seconds.
             * @example 2310
             */
            time_to_admin_reply: number;
            /**
             * @description Duration until conversation was closed first time. Subtracts out of business hours. In seconds.
             * @example 2310
             */
            time_to_first_close: number;
            /**
             * @description Duration until conversation was closed last time. Subtracts out of business hours. In seconds.
             * @example 2310
             */
            time_to_last_close: number;
            /**
             * @description Median based on all admin replies after a contact reply. Subtracts out of business hours. In seconds.
             * @example 2310
             */
            median_time_to_reply: number;
            /**
             * Format: date-time
             * @description Time of first text conversation part from a contact.
             * @example 1663597233
             */
            first_contact_reply_at: number;
            /**
             * Format: date-time
             * @description Time of first assignment after first_contact_reply_at.
             * @example 1663597233
             */
            first_assignment_at: number;
            /**
             * Format: date-time
             * @description Time of first admin reply after first_contact_reply_at.
             * @example 1663597233
             */
            first_admin_reply_at: number;
            /**
             * Format: date-time
             * @description Time of first close after first_contact_reply_at.
             * @example 1663597233
             */
            first_close_at: number;
            /**
             * Format: date-time
             * @description Time of last assignment after first_contact_reply_at.
             * @example 1663597233
             */
            last_assignment_at: number;
            /**
             * Format: date-time
             * @description Time of first admin reply since most recent assignment.
             * @example 1663597233
             */
            last_assignment_admin_reply_at: number;
            /**
             * Format: date-time
             * @description Time of the last conversation part from a contact.
             * @example 1663597233
             */
            last_contact_reply_at: number;
            /**
             * Format: date-time
             * @description Time of the last conversation part from an admin.
             * @example 1663597233
             */
            last_admin_reply_at: number;
            /**
             * Format: date-time
             * @description Time of the last conversation close.
             * @example 1663597233
             */
            last_close_at: number;
            /**
             * @description The last admin who closed the conversation. Returns a reference to an Admin object.
             * @example c3po
             */
            last_closed_by_id: string;
            /**
             * @description Number of reopens after first_contact_reply_at.
             * @example 1
             */
            count_reopens: number;
            /**
             * @description Number of assignments after first_contact_reply_at.
             * @example 1
             */
            count_assignments: number;
            /**
             * @description Total number of conversation parts.
             * @example 1
             */
            count_conversation_parts: number;
            /** @description An array of conversation response time objects */
            assigned_team_first_response_time: components["schemas"]["conversation_response_time"][];
            /** @description An array of conversation response time objects within office hours */
            assigned_team_first_response_time_in_office_hours: components["schemas"]["conversation_response_time"][];
            /**
             * @description Time from conversation assignment to conversation close in seconds.
             * @example 2310
             */
            handling_time: number;
            /**
             * @description Adjusted handling time for conversation in seconds. This is the active handling time excluding idle periods when teammates are not actively working on the conversation.
             * @example 1800
             */
            adjusted_handling_time: number | null;
        } | null;
        /**
         * Conversation teammates
         * @description The list of teammates who participated in the conversation (wrote at least one conversation part).
         */
        conversation_teammates: {
            /**
             * @description The type of the object - `admin.list`.
             * @example admin.list
             */
            type: string;
            /** @description The list of teammates who participated in the conversation (wrote at least one conversation part). */
            teammates: components["schemas"]["reference"][];
        } | null;
        /**
         * Part type - custom_action_finished
         * @description Contains details about final status of the completed action for conversation part type <code>custom_action_finished</code>.
         */
        custom_action_finished: {
            action: {
                /**
                 * @description Name of the action
                 * @example Jira Create Issue
                 */
                name: string;
                /**
                 * @description Status of the action
                 * @example success
                 * @enum {string}
                 */
                result: "success" | "failed";
            };
        };
        /**
         * Part type - custom_action_started
         * @description Contains details about name of the action that was initiated for conversation part type <code>custom_action_started</code>.
         */
        custom_action_started: {
            action: {
                /**
                 * @description Name of the action
                 * @example Jira Create Issue
                 */
                name: string;
            };
        };
        /**
         * Custom Attributes
         * @description An object containing the different custom attributes associated to the conversation as key-value pairs. For relationship attributes the value will be a list of custom object instance models. System-defined attributes such as "CX Score rating" and "CX Score explanation" may also be included.
         * @example {
         *       "paid_subscriber": true,
         *       "monthly_spend": 155.5,
         *       "team_mates": 9,
         *       "start_date_iso8601": "2023-03-04T09:46:14Z",
         *       "end_date_timestamp": 1677923174,
         *       "CX Score rating": 4,
         *       "CX Score explanation": "The conversation was resolved quickly and the customer expressed satisfaction with the outcome."
         *     }
         */
        custom_attributes: {
            [key: string]: string | number | components["schemas"]["datetime"] | components["schemas"]["custom_object_instance_list"];
        };
        /**
         * Custom Object Instance
         * @description A Custom Object Instance represents an instance of a custom object type. This allows you to create and set custom attributes to store data about your customers that is not already captured by Intercom. The parent object includes recommended default attributes and you can add your own custom attributes.
         */
        custom_object_instance: {
            /**
             * @description The Intercom defined id representing the custom object instance.
             * @example 16032025
             */
            id: string;
            /**
             * @description The id you have defined for the custom object instance.
             * @example 0001d1c1e65a7a19e9f59ae2
             */
            external_id: string;
            /**
             * Format: date-time
             * @description The time when the Custom Object instance was created in the external system it originated from.
             * @example 1571672154
             */
            external_created_at: number | null;
            /**
             * Format: date-time
             * @description The time when the Custom Object instance was last updated in the external system it originated from.
             * @example 1571672154
             */
            external_updated_at: number | null;
            /**
             * Format: date-time
             * @description The time the attribute was created as a UTC Unix timestamp
             * @example 1671028894
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The time the attribute was last updated as a UTC Unix timestamp
             * @example 1671028894
             */
            updated_at: number;
            /**
             * @description The identifier of the custom object type that defines the structure of the custom object instance.
             * @example Order
             */
            type: string;
            /** @description The custom attributes you have set on the custom object instance. */
            custom_attributes: {
                [key: string]: string;
            };
        } | null;
        /**
         * Custom Object Instances
         * @description The list of associated custom object instances for a given reference attribute on the parent object.
         */
        custom_object_instance_list: {
            /** @example order.list */
            type: string;
            /** @description The list of associated custom object instances for a given reference attribute on the parent object. */
            instances: components["schemas"]["custom_object_instance"][];
        };
        /**
         * Data Attribute
         * @description Data Attributes are metadata used to describe your contact, company and conversation models. These include standard and custom attributes. By using the data attributes endpoint, you can get the global list of attributes for your workspace, as well as create and archive custom attributes.
         */
        data_attribute: {
            /**
             * @description Value is `data_attribute`.
             * @example data_attribute
             * @enum {string}
             */
            type: "data_attribute";
            /**
             * @description The unique identifier for the data attribute which is given by Intercom. Only available for custom attributes.
             * @example 12878
             */
            id?: number;
            /**
             * @description Value is `contact` for user/lead attributes and `company` for company attributes.
             * @example contact
             * @enum {string}
             */
            model: "contact" | "company";
            /**
             * @description Name of the attribute.
             * @example paid_subscriber
             */
            name: string;
            /**
             * @description Full name of the attribute. Should match the name unless it's a nested attribute. We can split full_name on `.` to access nested user object values.
             * @example custom_attributes.paid_subscriber
             */
            full_name: string;
            /**
             * @description Readable name of the attribute (i.e. name you see in the UI)
             * @example Paid Subscriber
             */
            label: string;
            /**
             * @description Readable description of the attribute.
             * @example Whether the user is a paid subscriber.
             */
            description: string;
            /**
             * @description The data type of the attribute.
             * @example boolean
             * @enum {string}
             */
            data_type: "string" | "integer" | "float" | "boolean" | "date";
            /**
             * @description List of predefined options for attribute value.
             * @example [
             *       "true",
             *       "false"
             *     ]
             */
            options?: string[];
            /**
             * @description Can this attribute be updated through API
             * @example true
             */
            api_writable: boolean;
            /**
             * @description Can this attribute be updated by the Messenger
             * @example false
             */
            messenger_writable: boolean;
            /**
             * @description Can this attribute be updated in the UI
             * @example true
             */
            ui_writable: boolean;
            /**
             * @description Set to true if this is a CDA
             * @example true
             */
            custom: boolean;
            /**
             * @description Is this attribute archived. (Only applicable to CDAs)
             * @example false
             */
            archived: boolean;
            /**
             * Format: date-time
             * @description The time the attribute was created as a UTC Unix timestamp
             * @example 1671028894
             */
            created_at?: number;
            /**
             * Format: date-time
             * @description The time the attribute was last updated as a UTC Unix timestamp
             * @example 1671028894
             */
            updated_at?: number;
            /**
             * @description Teammate who created the attribute. Only applicable to CDAs
             * @example 5712945
             */
            admin_id?: string;
        };
        datetime: string | number;
        /**
         * Email Address Header
         * @description Contains data for an email address header for a conversation part that was sent as an email.
         */
        email_address_header: {
            /**
             * @description The type of email address header
             * @example from
             */
            type: string;
            /**
             * @description The email address
             * @example jdoe@example.com
             */
            email_address: string;
            /**
             * @description The name associated with the email address
             * @example Joe Example
             */
            name: string | null;
        };
        /**
         * Email Message Metadata
         * @description Contains metadata if the message was sent as an email
         */
        email_message_metadata: {
            /**
             * @description The subject of the email
             * @example Question about my order
             */
            subject: string;
            /**
             * Email Address Headers
             * @description A list of an email address headers.
             */
            email_address_headers: components["schemas"]["email_address_header"][];
        };
        /** Event details of Workflow & actions */
        event_details: components["schemas"]["conversation_attribute_updated_by_workflow"] | components["schemas"]["conversation_attribute_updated_by_admin"] | components["schemas"]["custom_action_started"] | components["schemas"]["custom_action_finished"] | components["schemas"]["operator_workflow_event"];
        /**
         * File
         * @description The value describing a file upload set for a custom attribute
         */
        file_attribute: {
            /** @example upload */
            type: string;
            /**
             * @description The name of the file
             * @example Screenshot.png
             */
            name: string;
            /**
             * @description The url of the file. This is a temporary URL and will expire after 30 minutes.
             * @example https://intercom-attachments-1.com/.../Screenshot.png
             */
            url: string;
            /**
             * @description The type of file
             * @example image/png
             */
            content_type: string;
            /**
             * @description The size of the file in bytes
             * @example 11308309
             */
            filesize: number;
            /**
             * @description The width of the file in pixels, if applicable
             * @example 3024
             */
            width: number;
            /**
             * @description The height of the file in pixels, if applicable
             * @example 1964
             */
            height: number;
        };
        /**
         * Group Content
         * @description The Content of a Group.
         */
        group_content: {
            /**
             * @description The type of object - `group_content` .
             * @example group_content
             * @enum {string|null}
             */
            type: null | "group_content";
            /**
             * @description The name of the collection or section.
             * @example Collection name
             */
            name: string;
            /**
             * @description The description of the collection. Only available for collections.
             * @example Collection description
             */
            description: string;
        } | null;
        /**
         * Group Translated Content
         * @description The Translated Content of an Group. The keys are the locale codes and the values are the translated content of the Group.
         */
        group_translated_content: {
            /**
             * @description The type of object - group_translated_content.
             * @example group_translated_content
             * @enum {string|null}
             */
            type: null | "group_translated_content";
            /** @description The content of the group in Arabic */
            ar: components["schemas"]["group_content"];
            /** @description The content of the group in Bulgarian */
            bg: components["schemas"]["group_content"];
            /** @description The content of the group in Bosnian */
            bs: components["schemas"]["group_content"];
            /** @description The content of the group in Catalan */
            ca: components["schemas"]["group_content"];
            /** @description The content of the group in Czech */
            cs: components["schemas"]["group_content"];
            /** @description The content of the group in Danish */
            da: components["schemas"]["group_content"];
            /** @description The content of the group in German */
            de: components["schemas"]["group_content"];
            /** @description The content of the group in Greek */
            el: components["schemas"]["group_content"];
            /** @description The content of the group in English */
            en: components["schemas"]["group_content"];
            /** @description The content of the group in Spanish */
            es: components["schemas"]["group_content"];
            /** @description The content of the group in Estonian */
            et: components["schemas"]["group_content"];
            /** @description The content of the group in Finnish */
            fi: components["schemas"]["group_content"];
            /** @description The content of the group in French */
            fr: components["schemas"]["group_content"];
            /** @description The content of the group in Hebrew */
            he: components["schemas"]["group_content"];
            /** @description The content of the group in Croatian */
            hr: components["schemas"]["group_content"];
            /** @description The content of the group in Hungarian */
            hu: components["schemas"]["group_content"];
            /** @description The content of the group in Indonesian */
            id: components["schemas"]["group_content"];
            /** @description The content of the group in Italian */
            it: components["schemas"]["group_content"];
            /** @description The content of the group in Japanese */
            ja: components["schemas"]["group_content"];
            /** @description The content of the group in Korean */
            ko: components["schemas"]["group_content"];
            /** @description The content of the group in Lithuanian */
            lt: components["schemas"]["group_content"];
            /** @description The content of the group in Latvian */
            lv: components["schemas"]["group_content"];
            /** @description The content of the group in Mongolian */
            mn: components["schemas"]["group_content"];
            /** @description The content of the group in Norwegian */
            nb: components["schemas"]["group_content"];
            /** @description The content of the group in Dutch */
            nl: components["schemas"]["group_content"];
            /** @description The content of the group in Polish */
            pl: components["schemas"]["group_content"];
            /** @description The content of the group in Portuguese (Portugal) */
            pt: components["schemas"]["group_content"];
            /** @description The content of the group in Romanian */
            ro: components["schemas"]["group_content"];
            /** @description The content of the group in Russian */
            ru: components["schemas"]["group_content"];
            /** @description The content of the group in Slovenian */
            sl: components["schemas"]["group_content"];
            /** @description The content of the group in Serbian */
            sr: components["schemas"]["group_content"];
            /** @description The content of the group in Swedish */
            sv: components["schemas"]["group_content"];
            /** @description The content of the group in Turkish */
            tr: components["schemas"]["group_content"];
            /** @description The content of the group in Vietnamese */
            vi: components["schemas"]["group_content"];
            /** @description The content of the group in Portuguese (Brazil) */
            "pt-BR": components["schemas"]["group_content"];
            /** @description The content of the group in Chinese (China) */
            "zh-CN": components["schemas"]["group_content"];
            /** @description The content of the group in Chinese (Taiwan) */
            "zh-TW": components["schemas"]["group_content"];
        } | null;
        /**
         * Linked Object
         * @description A linked conversation or ticket.
         */
        linked_object: {
            /**
             * @description ticket or conversation
             * @example ticket
             * @enum {string}
             */
            type: "ticket" | "conversation";
            /**
             * @description The ID of the linked object
             * @example 7583
             */
            id: string;
            /**
             * @description Category of the Linked Ticket Object.
             * @example Customer
             * @enum {string|null}
             */
            category: "Customer" | "Back-office" | "Tracker" | null;
        };
        /**
         * Linked Objects
         * @description An object containing metadata about linked conversations and linked tickets. Up to 1000 can be returned.
         */
        linked_object_list: {
            /**
             * @description Always list.
             * @example list
             * @enum {string}
             */
            type: "list";
            /**
             * @description The total number of linked objects.
             * @example 100
             */
            total_count: number;
            /**
             * @description Whether or not there are more linked objects than returned.
             * @example false
             */
            has_more: boolean;
            /** @description An array containing the linked conversations and linked tickets. */
            data: components["schemas"]["linked_object"][];
        };
        /**
         * Part type - operator_workflow_event
         * @description Contains details about name of the workflow for conversation part type <code>operator_workflow_event</code>.
         */
        operator_workflow_event: {
            workflow: {
                /**
                 * @description The name of the workflow
                 * @example Custom Bot 1
                 */
                name: string;
            };
            event: {
                /**
                 * @description Type of the workflow event initiated
                 * @example wait_finished
                 */
                type: string;
                /**
                 * @description Result of the workflow event
                 * @example Finsihed waiting
                 */
                result: string;
            };
        };
        /**
         * Part attachment
         * @description The file attached to a part
         */
        part_attachment: {
            /**
             * @description The type of attachment
             * @example upload
             */
            type: string;
            /**
             * @description The name of the attachment
             * @example example.png
             */
            name: string;
            /**
             * @description The URL of the attachment
             * @example https://picsum.photos/200/300
             */
            url: string;
            /**
             * @description The content type of the attachment
             * @example image/png
             */
            content_type: string;
            /**
             * @description The size of the attachment
             * @example 100
             */
            filesize: number;
            /**
             * @description The width of the attachment
             * @example 100
             */
            width: number;
            /**
             * @description The height of the attachment
             * @example 100
             */
            height: number;
        };
        /** Quick Reply Option */
        quick_reply_option: {
            /** @description The text to display in this quick reply option. */
            text: string;
            /**
             * Format: uuid
             * @description A unique identifier for this quick reply option. This value will be available within the metadata of the comment conversation part that is created when a user clicks on this reply option.
             */
            uuid: string;
        };
        /**
         * Reference
         * @description reference to another object
         */
        reference: {
            /** @example contact */
            type: string;
            /** @example 1a2b3c */
            id: string | null;
        };
        /**
         * Segment
         * @description A segment is a group of your contacts defined by the rules that you set.
         */
        segment: {
            /**
             * @description The type of object.
             * @example segment
             * @enum {string}
             */
            type: "segment";
            /**
             * @description The unique identifier representing the segment.
             * @example 56203d253cba154d39010062
             */
            id: string;
            /**
             * @description The name of the segment.
             * @example Active
             */
            name: string;
            /**
             * @description The time the segment was created.
             * @example 1394621988
             */
            created_at: number;
            /**
             * @description The time the segment was updated.
             * @example 1394622004
             */
            updated_at: number;
            /**
             * @description Type of the contact: contact (lead) or user.
             * @example contact
             * @enum {string}
             */
            person_type: "contact" | "user";
            /**
             * @description The number of items in the user segment. It's returned when `include_count=true` is included in the request.
             * @example 3
             */
            count?: number | null;
        };
        /**
         * Applied SLA
         * @description The SLA Applied object contains the details for which SLA has been applied to this conversation.
         *     Important: if there are any canceled sla_events for the conversation - meaning an SLA has been manually removed from a conversation, the sla_status will always be returned as null.
         */
        sla_applied: {
            /**
             * @description object type
             * @example conversation_sla_summary
             */
            type: string;
            /**
             * @description The name of the SLA as given by the teammate when it was created.
             * @example
             */
            sla_name: string;
            /**
             * @description SLA statuses:
             *                 - `hit`: If there’s at least one hit event in the underlying sla_events table, and no “missed” or “canceled” events for the conversation.
             *                 - `missed`: If there are any missed sla_events for the conversation and no canceled events. If there’s even a single missed sla event, the status will always be missed. A missed status is not applied when the SLA expires, only the next time a teammate replies.
             *                 - `active`: An SLA has been applied to a conversation, but has not yet been fulfilled. SLA status is active only if there are no “hit, “missed”, or “canceled” events.
             * @example hit
             * @enum {string}
             */
            sla_status: "hit" | "missed" | "cancelled" | "active";
        } | null;
        /**
         * Social Profile
         * @description A Social Profile allows you to label your contacts, companies, and conversations and list them using that Social Profile.
         */
        social_profile: {
            /**
             * @description value is "social_profile"
             * @example social_profile
             */
            type: string;
            /**
             * @description The name of the Social media profile
             * @example Facebook
             */
            name: string;
            /**
             * Format: uri
             * @description The name of the Social media profile
             * @example http://twitter.com/th1sland
             */
            url: string;
        };
        /**
         * Tag
         * @description A tag allows you to label your contacts, companies, and conversations and list them using that tag.
         */
        tag: {
            /**
             * @description value is "tag"
             * @example tag
             */
            type: string;
            /**
             * @description The id of the tag
             * @example 123456
             */
            id: string;
            /**
             * @description The name of the tag
             * @example Test tag
             */
            name: string;
            /**
             * Format: date-time
             * @description The time when the tag was applied to the object. Only present when the tag is returned as part of a tagging operation on a contact, conversation, or ticket.
             * @example 1663597223
             */
            applied_at?: number | null;
            /** @description The admin who applied the tag. Only present when the tag is returned as part of a tagging operation on a contact, conversation, or ticket. */
            applied_by?: components["schemas"]["reference"] | null;
        };
        /**
         * Tag
         * @description A tag allows you to label your contacts, companies, and conversations and list them using that tag.
         */
        tag_basic: {
            /**
             * @description value is "tag"
             * @example tag
             */
            type: string;
            /**
             * @description The id of the tag
             * @example 123456
             */
            id: string;
            /**
             * @description The name of the tag
             * @example Test tag
             */
            name: string;
        };
        /**
         * Tags
         * @description A list of tags objects associated with a conversation
         */
        tags: {
            /**
             * @description The type of the object
             * @example tag.list
             * @enum {string}
             */
            type: "tag.list";
            /** @description A list of tags objects associated with the conversation. */
            tags: components["schemas"]["tag"][];
        };
        /**
         * Team
         * @description Teams are groups of admins in Intercom.
         */
        team: {
            /**
             * @description Value is always "team"
             * @example team
             */
            type: string;
            /**
             * @description The id of the team
             * @example 814865
             */
            id: string;
            /**
             * @description The name of the team
             * @example Example Team
             */
            name: string;
            /**
             * @description The list of admin IDs that are a part of the team.
             * @example [
             *       493881
             *     ]
             */
            admin_ids: number[];
            admin_priority_level: components["schemas"]["admin_priority_level"];
            /**
             * @description The assignment limit for the team. This field is only present when the team's distribution type is load balanced.
             * @example 10
             */
            assignment_limit?: number | null;
            /**
             * @description Describes how assignments are distributed among the team members
             * @example round_robin
             */
            distribution_method?: string | null;
        };
        /**
         * Team Priority Level
         * @description Admin priority levels for teams
         */
        team_priority_level: {
            /**
             * @description The primary team ids for the team
             * @example [
             *       814865
             *     ]
             */
            primary_team_ids: number[] | null;
            /**
             * @description The secondary team ids for the team
             * @example [
             *       493881
             *     ]
             */
            secondary_team_ids: number[] | null;
        } | null;
        /**
         * Ticket
         * @description Tickets are how you track requests from your users.
         */
        ticket: {
            /**
             * @description Always ticket
             * @default ticket
             * @example ticket
             * @enum {string}
             */
            type: "ticket";
            /**
             * @description The unique identifier for the ticket which is given by Intercom.
             * @example 1295
             */
            id: string;
            /**
             * @description The ID of the Ticket used in the Intercom Inbox and Messenger. Do not use ticket_id for API queries.
             * @example 1390
             */
            ticket_id: string;
            /**
             * @description Category of the Ticket.
             * @example Customer
             * @enum {string}
             */
            category: "Customer" | "Back-office" | "Tracker";
            ticket_attributes: components["schemas"]["ticket_custom_attributes"];
            ticket_state: components["schemas"]["ticket_state"];
            ticket_type: components["schemas"]["ticket_type"];
            contacts: components["schemas"]["ticket_contacts"];
            /**
             * @description The id representing the admin assigned to the ticket.
             * @example 1295
             */
            admin_assignee_id: string;
            /**
             * @description The id representing the team assigned to the ticket.
             * @example 1295
             */
            team_assignee_id: string;
            /**
             * Format: date-time
             * @description The time the ticket was created as a UTC Unix timestamp.
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The last time the ticket was updated as a UTC Unix timestamp.
             * @example 1663597260
             */
            updated_at: number;
            /**
             * @description Whether or not the ticket is open. If false, the ticket is closed.
             * @example true
             */
            open: boolean;
            /**
             * Format: date-time
             * @description The time the ticket will be snoozed until as a UTC Unix timestamp. If null, the ticket is not currently snoozed.
             * @example 1663597260
             */
            snoozed_until?: number;
            linked_objects: components["schemas"]["linked_object_list"];
            ticket_parts: components["schemas"]["ticket_parts"];
            /**
             * @description Whether or not the ticket is shared with the customer.
             * @example true
             */
            is_shared: boolean;
        } | null;
        /**
         * Contacts
         * @description The list of contacts affected by a ticket.
         */
        ticket_contacts: {
            /**
             * @description always contact.list
             * @example contact.list
             * @enum {string}
             */
            type: "contact.list";
            /** @description The list of contacts affected by this ticket. */
            contacts: components["schemas"]["contact_reference"][];
        };
        /**
         * Ticket Attributes
         * @description An object containing the different attributes associated to the ticket as key-value pairs. For the default title and description attributes, the keys are `_default_title_` and `_default_description_`.
         * @example {
         *       "_default_title_": "Found a bug",
         *       "_default_description_": "The button's not working"
         *     }
         */
        ticket_custom_attributes: {
            [key: string]: (string | null) | number | boolean | unknown[] | components["schemas"]["file_attribute"];
        };
        /**
         * Ticket Part
         * @description A Ticket Part represents a message in the ticket.
         */
        ticket_part: {
            /**
             * @description Always ticket_part
             * @example ticket_part
             */
            type: string;
            /**
             * @description The id representing the ticket part.
             * @example 3
             */
            id: string;
            /**
             * @description The type of ticket part.
             * @example comment
             */
            part_type: string;
            /**
             * @description The message body, which may contain HTML.
             * @example <p>Okay!</p>
             */
            body: string | null;
            /**
             * @description The previous state of the ticket.
             * @example submitted
             * @enum {string}
             */
            previous_ticket_state: "submitted" | "in_progress" | "waiting_on_customer" | "resolved";
            /**
             * @description The state of the ticket.
             * @example submitted
             * @enum {string}
             */
            ticket_state: "submitted" | "in_progress" | "waiting_on_customer" | "resolved";
            /**
             * Format: date-time
             * @description The time the ticket part was created.
             * @example 1663597223
             */
            created_at: number;
            /**
             * Format: date-time
             * @description The last time the ticket part was updated.
             * @example 1663597260
             */
            updated_at: number;
            /** @description The id of the admin that was assigned the ticket by this ticket_part (null if there has been no change in assignment.) */
            assigned_to: components["schemas"]["reference"];
            author: components["schemas"]["ticket_part_author"];
            /**
             * Ticket part attachments
             * @description A list of attachments for the part.
             */
            attachments: components["schemas"]["part_attachment"][];
            /**
             * @description The external id of the ticket part
             * @example abcd1234
             */
            external_id: string | null;
            /**
             * @description Whether or not the ticket part has been redacted.
             * @example false
             */
            redacted: boolean;
            /**
             * @description The app package code if this part was created via API. Note this field won't show if the part was not created via API.
             * @example text-integration
             */
            app_package_code: string;
            /**
             * Updated Attribute
             * @description The updated attribute data of the ticket part. Only present for attribute update parts.
             */
            updated_attribute_data: {
                /** @description Information about the attribute that was updated. */
                attribute: {
                    /**
                     * @description The type of the object. Always 'attribute'.
                     * @example attribute
                     * @enum {string}
                     */
                    type: "attribute";
                    /**
                     * @description The unique identifier of the attribute.
                     * @example 7
                     */
                    id: string;
                    /**
                     * @description The human-readable name of the attribute.
                     * @example Progress
                     */
                    label: string;
                };
                /** @description The new value of the attribute. */
                value: {
                    /**
                     * @description The type of the object. Always 'value'.
                     * @example value
                     * @enum {string}
                     */
                    type: "value";
                    id: (string | null) | number[];
                    label: string | string[];
                };
            } | null;
        };
        /**
         * Ticket part author
         * @description The author that wrote or triggered the part. Can be a bot, admin, team or user.
         */
        ticket_part_author: {
            /**
             * @description The type of the author
             * @example admin
             * @enum {string}
             */
            type: "admin" | "bot" | "team" | "user";
            /**
             * @description The id of the author
             * @example 274
             */
            id: string;
            /**
             * @description The name of the author
             * @example Operator
             */
            name: string | null;
            /**
             * Format: email
             * @description The email of the author
             * @example operator+abcd1234@intercom.io
             */
            email: string;
        };
        /**
         * Ticket Parts
         * @description A list of Ticket Part objects for each note and event in the ticket. There is a limit of 500 parts.
         */
        ticket_parts: {
            /**
             * @example ticket_part.list
             * @enum {string}
             */
            type: "ticket_part.list";
            /**
             * Tickt Parts
             * @description A list of Ticket Part objects for each ticket. There is a limit of 500 parts.
             */
            ticket_parts: components["schemas"]["ticket_part"][];
            /** @example 2 */
            total_count: number;
        };
        /**
         * Ticket State
         * @description A ticket state, used to define the state of a ticket.
         */
        ticket_state: {
            /**
             * @description String representing the object's type. Always has the value `ticket_state`.
             * @example ticket_state
             */
            type: string;
            /**
             * @description The id of the ticket state
             * @example 12
             */
            id: string;
            /**
             * @description The category of the ticket state
             * @example in_progress
             * @enum {string}
             */
            category: "submitted" | "in_progress" | "waiting_on_customer" | "resolved";
            /**
             * @description The state the ticket is currently in, in a human readable form - visible in Intercom
             * @example With Dev Team
             */
            internal_label: string;
            /**
             * @description The state the ticket is currently in, in a human readable form - visible to customers, in the messenger, email and tickets portal.
             * @example In Progress
             */
            external_label: string;
        } | null;
        /**
         * Ticket Type
         * @description A ticket type, used to define the data fields to be captured in a ticket.
         */
        ticket_type: {
            /**
             * @description String representing the object's type. Always has the value `ticket_type`.
             * @example ticket_type
             */
            type: string;
            /**
             * @description The id representing the ticket type.
             * @example 1295
             */
            id: string;
            /**
             * @description Category of the Ticket Type.
             * @example Customer
             * @enum {string}
             */
            category: "Customer" | "Back-office" | "Tracker";
            /**
             * @description The name of the ticket type
             * @example Bug
             */
            name: string;
            /**
             * @description The description of the ticket type
             * @example A bug that has been reported.
             */
            description: string;
            /**
             * @description The icon of the ticket type
             * @example 🐞
             */
            icon: string;
            /**
             * @description The id of the workspace that the ticket type belongs to.
             * @example ecahpwf5
             */
            workspace_id: string;
            ticket_type_attributes: components["schemas"]["ticket_type_attribute_list"];
            /**
             * Ticket States
             * @description A list of ticket states associated with a given ticket type.
             */
            ticket_states: {
                /**
                 * @description String representing the object's type. Always has the value `list`.
                 * @example list
                 */
                type: string;
                /** @description A list of ticket states associated with a given ticket type. */
                data: components["schemas"]["ticket_state"][];
            };
            /**
             * @description Whether the ticket type is archived or not.
             * @example false
             */
            archived: boolean;
            /**
             * Format: timestamp
             * @description The date and time the ticket type was created.
             */
            created_at: number;
            /**
             * Format: timestamp
             * @description The date and time the ticket type was last updated.
             */
            updated_at: number;
        } | null;
        /**
         * Ticket Type Attribute
         * @description Ticket type attribute, used to define each data field to be captured in a ticket.
         */
        ticket_type_attribute: {
            /**
             * @description String representing the object's type. Always has the value `ticket_type_attribute`.
             * @example ticket_type_attribute
             */
            type: string;
            /**
             * @description The id representing the ticket type attribute.
             * @example 1
             */
            id: string;
            /**
             * @description The id of the workspace that the ticket type attribute belongs to.
             * @example ecahpwf5
             */
            workspace_id: string;
            /**
             * @description The name of the ticket type attribute
             * @example Title
             */
            name: string;
            /**
             * @description The description of the ticket type attribute
             * @example Bug title.
             */
            description: string;
            /**
             * @description The type of the data attribute (allowed values: "string list integer decimal boolean datetime files")
             * @example string
             */
            data_type: string;
            /**
             * @description Input options for the attribute
             * @example multiline: true
             */
            input_options: Record<string, never>;
            /**
             * @description The order of the attribute against other attributes
             * @example 1
             */
            order: number;
            /**
             * @description Whether the attribute is required or not for teammates.
             * @default false
             * @example false
             */
            required_to_create: boolean;
            /**
             * @description Whether the attribute is required or not for contacts.
             * @default false
             * @example false
             */
            required_to_create_for_contacts: boolean;
            /**
             * @description Whether the attribute is visible or not to teammates.
             * @default true
             * @example false
             */
            visible_on_create: boolean;
            /**
             * @description Whether the attribute is visible or not to contacts.
             * @default true
             * @example false
             */
            visible_to_contacts: boolean;
            /**
             * @description Whether the attribute is built in or not.
             * @example true
             */
            default: boolean;
            /**
             * @description The id of the ticket type that the attribute belongs to.
             * @example 42
             */
            ticket_type_id: number;
            /**
             * @description Whether the ticket type attribute is archived or not.
             * @example false
             */
            archived: boolean;
            /**
             * Format: timestamp
             * @description The date and time the ticket type attribute was created.
             */
            created_at: number;
            /**
             * Format: timestamp
             * @description The date and time the ticket type attribute was last updated.
             */
            updated_at: number;
        } | null;
        /**
         * Ticket Type Attributes
         * @description A list of attributes associated with a given ticket type.
         */
        ticket_type_attribute_list: {
            /** @description String representing the object's type. Always has the value `ticket_type_attributes.list`. */
            type: string;
            /** @description A list of ticket type attributes associated with a given ticket type. */
            ticket_type_attributes: components["schemas"]["ticket_type_attribute"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
