-- What golive_monitor, the role the exporter connects as, may read: the
-- statistics views (pg_monitor, granted when the role is created) and the
-- columns the checks of golive.yml query, nothing else. No password hash,
-- no refresh token or its hash, no health record, phone number or note,
-- no IP address or user agent of the audit log: a leaked monitoring
-- password reads no secret and little personal data. Run after schema.sql
-- as the tables' owner; when a check needs another column, grant it here.
GRANT USAGE ON SCHEMA public, golive TO golive_monitor;

-- Catalogue and bookkeeping tables: nothing personal.
GRANT SELECT ON courses, course_enrollments, roles, user_roles, alembic_version TO golive_monitor;

GRANT SELECT (id, email, student_id, first_name, last_name, father_name, enrollment_date, is_active, deleted_at)
  ON students TO golive_monitor;
GRANT SELECT (id, email, full_name, role, is_active, created_at) ON users TO golive_monitor;
GRANT SELECT (id, student_id, course_id, category, grade, max_grade, date_assigned, date_submitted, deleted_at)
  ON grades TO golive_monitor;
GRANT SELECT (id, student_id, course_id, date, status, deleted_at) ON attendances TO golive_monitor;
GRANT SELECT (id, action, user_id, success, "timestamp") ON audit_logs TO golive_monitor;
-- When each user last signed in (adoption), not the token.
GRANT SELECT (user_id, created_at) ON refresh_tokens TO golive_monitor;

GRANT SELECT ON golive.legacy_export_counts, golive.school_calendar TO golive_monitor;
GRANT SELECT (rating) ON golive.survey_responses TO golive_monitor;
-- Whether each password hash is well formed, never the hash.
GRANT SELECT ON golive.user_password_check TO golive_monitor;
