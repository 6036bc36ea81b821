-- The student management system's database as its Alembic migrations
-- leave it at head (migrations/versions; the table and column names are
-- the public application's, bs1gr/AUT_MIEEK_SMS), on PostgreSQL.
-- Load with: psql -v ON_ERROR_STOP=1 -d student_management -f schema.sql -f seed.sql -f grants.sql
-- (setup.sh does), or let `alembic upgrade head` create it.

-- ---- baseline (0b65fa8f5f95) -------------------------------------------
CREATE TABLE students (
    id              serial PRIMARY KEY,
    first_name      varchar(100) NOT NULL,
    last_name       varchar(100) NOT NULL,
    email           varchar(255) NOT NULL UNIQUE,
    student_id      varchar(50) NOT NULL UNIQUE,  -- the school's student number
    enrollment_date date,
    is_active       boolean DEFAULT true,
    father_name     varchar(100),
    mobile_phone    varchar(30),
    phone           varchar(30),
    health_issue    text,
    note            text,
    study_year      integer,
    deleted_at      timestamptz                   -- 6d2e9d1b4f77: soft delete
);
CREATE INDEX idx_student_active_email ON students (is_active, email);
CREATE INDEX ix_students_enrollment_date ON students (enrollment_date);
CREATE INDEX ix_students_deleted_at ON students (deleted_at);

CREATE TABLE courses (
    id                serial PRIMARY KEY,
    course_code       varchar(20) NOT NULL UNIQUE,  -- <department>-<number>, e.g. CS-101
    course_name       varchar(200) NOT NULL,
    semester          varchar(50) NOT NULL,         -- e.g. "Fall 2026"
    credits           integer DEFAULT 3,
    description       text,
    -- How the final grade is made: [{"category": "Final Exam", "weight": 50}, ...]
    evaluation_rules  json,
    absence_penalty   double precision,             -- 3f2b1a9c0d7e: points off per unexcused absence
    hours_per_week    double precision DEFAULT 3.0,
    teaching_schedule json,
    deleted_at        timestamptz
);
CREATE INDEX ix_courses_semester ON courses (semester);
CREATE INDEX ix_courses_deleted_at ON courses (deleted_at);

CREATE TABLE attendances (
    id            serial PRIMARY KEY,
    student_id    integer NOT NULL REFERENCES students (id),
    course_id     integer NOT NULL REFERENCES courses (id),
    date          date NOT NULL,
    status        varchar(20) NOT NULL,  -- Present, Absent, Late, Excused
    period_number integer DEFAULT 1,
    notes         text,
    deleted_at    timestamptz
);
CREATE INDEX idx_attendance_student_date ON attendances (student_id, date);
CREATE INDEX idx_attendance_course_date ON attendances (course_id, date);
-- 2b4c64f9fbba
CREATE INDEX idx_attendance_student_course_date ON attendances (student_id, course_id, date);

CREATE TABLE course_enrollments (
    id          serial PRIMARY KEY,
    student_id  integer NOT NULL REFERENCES students (id),
    course_id   integer NOT NULL REFERENCES courses (id),
    enrolled_at date DEFAULT current_date,
    deleted_at  timestamptz
);
CREATE UNIQUE INDEX idx_enrollment_student_course ON course_enrollments (student_id, course_id);
CREATE INDEX ix_course_enrollments_course_id ON course_enrollments (course_id);

CREATE TABLE daily_performances (
    id         serial PRIMARY KEY,
    student_id integer NOT NULL REFERENCES students (id),
    course_id  integer NOT NULL REFERENCES courses (id),
    date       date NOT NULL,
    category   varchar(100) NOT NULL,
    score      double precision NOT NULL,
    max_score  double precision DEFAULT 10.0,
    notes      text,
    deleted_at timestamptz
);
CREATE INDEX idx_performance_student_course ON daily_performances (student_id, course_id);
CREATE INDEX idx_performance_student_date ON daily_performances (student_id, date);
CREATE INDEX ix_daily_performances_course_id ON daily_performances (course_id);

CREATE TABLE grades (
    id              serial PRIMARY KEY,
    student_id      integer NOT NULL REFERENCES students (id),
    course_id       integer NOT NULL REFERENCES courses (id),
    assignment_name varchar(200) NOT NULL,
    category        varchar(100),
    grade           double precision NOT NULL,
    max_grade       double precision DEFAULT 100.0,
    weight          double precision DEFAULT 1.0,
    date_assigned   date,
    date_submitted  date,
    notes           text,
    deleted_at      timestamptz
);
CREATE INDEX idx_grade_student_course ON grades (student_id, course_id);
CREATE INDEX idx_grade_student_category ON grades (student_id, category);
CREATE INDEX ix_grades_course_id ON grades (course_id);
-- 2b4c64f9fbba
CREATE INDEX idx_grade_date_assigned ON grades (date_assigned);
CREATE INDEX idx_grade_date_submitted ON grades (date_submitted);

CREATE TABLE highlights (
    id             serial PRIMARY KEY,
    student_id     integer NOT NULL REFERENCES students (id),
    semester       varchar(50) NOT NULL,
    rating         integer,
    category       varchar(100),
    highlight_text text NOT NULL,
    date_created   date DEFAULT current_date,
    is_positive    boolean DEFAULT true,
    deleted_at     timestamptz
);
CREATE INDEX idx_highlight_student_semester ON highlights (student_id, semester);

-- ---- users (9a1d2b3c4d56), lockout (5b71c5a90e3d), password change
-- ---- (d377f961aa1f) ------------------------------------------------------
CREATE TABLE users (
    id                       serial PRIMARY KEY,
    email                    varchar(255) NOT NULL UNIQUE,
    hashed_password          varchar(255) NOT NULL,
    full_name                varchar(200),
    role                     varchar(50) NOT NULL DEFAULT 'teacher',  -- the pre-RBAC role, kept in step with user_roles
    is_active                boolean NOT NULL DEFAULT true,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    failed_login_attempts    integer NOT NULL DEFAULT 0,
    last_failed_login_at     timestamptz,
    lockout_until            timestamptz,
    password_change_required boolean NOT NULL DEFAULT false
);
CREATE INDEX ix_users_role ON users (role);
CREATE INDEX ix_users_is_active ON users (is_active);
CREATE INDEX ix_users_lockout_until ON users (lockout_until);

-- ---- refresh tokens (ffedcba12345): one row per issued JWT refresh token
CREATE TABLE refresh_tokens (
    id         serial PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES users (id),
    jti        varchar(64) NOT NULL,
    token_hash varchar(128) NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked    boolean DEFAULT false,
    created_at timestamptz DEFAULT now()
);
CREATE UNIQUE INDEX idx_refresh_tokens_jti ON refresh_tokens (jti);
CREATE INDEX idx_refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX idx_refresh_tokens_expires ON refresh_tokens (expires_at);

-- ---- RBAC (8e1a2c3b4d5e) --------------------------------------------------
CREATE TABLE roles (
    id          serial PRIMARY KEY,
    name        varchar(100) NOT NULL,  -- admin, teacher, student
    description varchar(255)
);
CREATE UNIQUE INDEX idx_roles_name ON roles (name);

CREATE TABLE permissions (
    id          serial PRIMARY KEY,
    name        varchar(150) NOT NULL,  -- e.g. grades:write
    description varchar(255)
);
CREATE UNIQUE INDEX idx_permissions_name ON permissions (name);

CREATE TABLE role_permissions (
    id            serial PRIMARY KEY,
    role_id       integer NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission_id integer NOT NULL REFERENCES permissions (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_role_permission_unique ON role_permissions (role_id, permission_id);
-- Not in the upstream migration: the foreign key's own index, which the
-- db_indexes check (P1.1.09) asks for.
CREATE INDEX ix_role_permissions_permission_id ON role_permissions (permission_id);

CREATE TABLE user_roles (
    id      serial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id integer NOT NULL REFERENCES roles (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX idx_user_role_unique ON user_roles (user_id, role_id);
CREATE INDEX ix_user_roles_role_id ON user_roles (role_id);  -- as above

-- ---- audit log (36c455e672ec) ---------------------------------------------
CREATE TABLE audit_logs (
    id            serial PRIMARY KEY,
    action        varchar(50) NOT NULL,   -- LOGIN, LOGOUT, CREATE, UPDATE, DELETE, PASSWORD_CHANGE, ...
    resource      varchar(50) NOT NULL,   -- auth, student, grade, ...
    resource_id   varchar(100),
    user_id       integer REFERENCES users (id),
    user_email    varchar(255),
    ip_address    varchar(45),
    user_agent    varchar(512),
    details       json,
    success       boolean NOT NULL,
    error_message text,
    "timestamp"   timestamptz NOT NULL
);
CREATE INDEX idx_audit_resource_action ON audit_logs (resource, action);
CREATE INDEX idx_audit_timestamp_action ON audit_logs ("timestamp", action);
CREATE INDEX idx_audit_user_action ON audit_logs (user_id, action);

-- Alembic's version table: one row, the revision the database is at.
CREATE TABLE alembic_version (
    version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- ---- The go-live team's own tables, outside the application's schema and
-- ---- its migrations: what the cut-over is checked against.
CREATE SCHEMA golive;
-- Row counts of the legacy system's export, to compare the import with.
CREATE TABLE golive.legacy_export_counts (
    entity text PRIMARY KEY,
    count  bigint NOT NULL
);
-- The school calendar's days without lessons (the application has none).
CREATE TABLE golive.school_calendar (
    day  date PRIMARY KEY,
    name text NOT NULL
);
-- Answers of the post-launch survey (a web form), imported nightly.
CREATE TABLE golive.survey_responses (
    id           serial PRIMARY KEY,
    user_email   text NOT NULL,
    rating       integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    submitted_at timestamptz NOT NULL DEFAULT now()
);
-- What the password check needs to know of each account, and not the hash
-- itself: the monitoring role reads this view, never users.hashed_password.
CREATE VIEW golive.user_password_check AS
SELECT id, email,
       hashed_password ~ '^\$(2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|argon2id?\$)' AS hash_ok,
       password_change_required
FROM public.users;
