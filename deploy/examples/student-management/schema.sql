-- Student management system: the schema the example go-live config checks.
-- Load with: psql -v ON_ERROR_STOP=1 -d student_management -f schema.sql -f seed.sql
CREATE TABLE departments (
    id         serial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text NOT NULL
);

CREATE TABLE roles (
    id   serial PRIMARY KEY,
    name text NOT NULL UNIQUE  -- student, teacher, administrator
);

CREATE TABLE users (
    id                   serial PRIMARY KEY,
    username             text NOT NULL,
    email                text NOT NULL,
    password_hash        text NOT NULL,
    must_change_password boolean NOT NULL DEFAULT true,
    is_active            boolean NOT NULL DEFAULT true,
    is_test              boolean NOT NULL DEFAULT false,
    last_login_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    -- login lockout (migration e5f6a7b8c9d0)
    failed_login_attempts integer NOT NULL DEFAULT 0,
    locked_until         timestamptz
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE user_roles (
    user_id integer NOT NULL REFERENCES users (id),
    role_id integer NOT NULL REFERENCES roles (id),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles (role_id);

-- user_id has no foreign key: rows come from the legacy import, and the
-- orphan check is what proves them.
CREATE TABLE students (
    id             serial PRIMARY KEY,
    user_id        integer,
    student_number text NOT NULL,
    department_id  integer NOT NULL REFERENCES departments (id),
    birth_date     date,
    enrolled_on    date NOT NULL
);
CREATE INDEX students_user_idx ON students (user_id);
CREATE INDEX students_department_idx ON students (department_id);

CREATE TABLE teachers (
    id            serial PRIMARY KEY,
    user_id       integer NOT NULL REFERENCES users (id),
    department_id integer NOT NULL REFERENCES departments (id)
);
CREATE INDEX teachers_user_idx ON teachers (user_id);
CREATE INDEX teachers_department_idx ON teachers (department_id);

CREATE TABLE courses (
    id            serial PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    title         text NOT NULL,
    department_id integer NOT NULL REFERENCES departments (id),
    credits       integer NOT NULL
);
CREATE INDEX courses_department_idx ON courses (department_id);

CREATE TABLE academic_periods (
    id        serial PRIMARY KEY,
    name      text NOT NULL,
    starts_on date NOT NULL,
    ends_on   date NOT NULL CHECK (ends_on > starts_on)
);

CREATE TABLE grade_scales (
    id        serial PRIMARY KEY,
    letter    text NOT NULL UNIQUE,
    min_score numeric(5,2) NOT NULL,
    max_score numeric(5,2) NOT NULL
);

CREATE TABLE attendance_policies (
    id           serial PRIMARY KEY,
    name         text NOT NULL,
    max_absences integer NOT NULL
);

CREATE TABLE holidays (
    id        serial PRIMARY KEY,
    day       date NOT NULL,
    name      text NOT NULL,
    period_id integer NOT NULL REFERENCES academic_periods (id)
);
CREATE INDEX holidays_period_idx ON holidays (period_id);

CREATE TABLE enrollments (
    id         serial PRIMARY KEY,
    student_id integer NOT NULL REFERENCES students (id),
    course_id  integer NOT NULL REFERENCES courses (id),
    period_id  integer NOT NULL REFERENCES academic_periods (id)
);
CREATE INDEX enrollments_student_idx ON enrollments (student_id);
CREATE INDEX enrollments_course_idx ON enrollments (course_id);
CREATE INDEX enrollments_period_idx ON enrollments (period_id);

CREATE TABLE grades (
    id            serial PRIMARY KEY,
    enrollment_id integer NOT NULL REFERENCES enrollments (id),
    score         numeric(5,2) NOT NULL,
    letter        text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grades_enrollment_idx ON grades (enrollment_id);

CREATE TABLE attendance (
    id            serial PRIMARY KEY,
    enrollment_id integer NOT NULL REFERENCES enrollments (id),
    day           date NOT NULL,
    present       boolean NOT NULL
);
CREATE INDEX attendance_enrollment_idx ON attendance (enrollment_id);

CREATE TABLE audit_log (
    id     bigserial PRIMARY KEY,
    at     timestamptz NOT NULL DEFAULT now(),
    actor  text NOT NULL,
    action text NOT NULL
);

CREATE TABLE survey_responses (
    id           serial PRIMARY KEY,
    user_id      integer NOT NULL REFERENCES users (id),
    rating       integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    submitted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX survey_responses_user_idx ON survey_responses (user_id);

-- Counts from the legacy system's export, to compare the import against.
CREATE TABLE legacy_export_counts (
    entity text PRIMARY KEY,
    count  bigint NOT NULL
);

-- Alembic's version table; migrations/versions holds the revisions.
-- JWT refresh tokens, revocable (migration d4e5f6a7b8c9).
CREATE TABLE refresh_tokens (
    id         serial PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    jti        varchar(64) NOT NULL UNIQUE,
    token_hash varchar(128) NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked    boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE alembic_version (
    version_num varchar(32) NOT NULL PRIMARY KEY
);

-- The least-privilege role the exporter uses in production.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'golive_monitor') THEN
        CREATE ROLE golive_monitor LOGIN IN ROLE pg_monitor;
    END IF;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO golive_monitor;
