-- Seed data: a small school that is ready to go live. Every query of
-- golive.yml passes against it; tests break one item at a time.
INSERT INTO departments (code, name) VALUES
  ('MATH', 'Mathematics'), ('SCI', 'Science'), ('HUM', 'Humanities'),
  ('LANG', 'Languages'), ('ARTS', 'Arts');

INSERT INTO roles (name) VALUES ('student'), ('teacher'), ('administrator');

-- 200 students, 20 teachers, 3 administrators.
INSERT INTO users (username, email, password_hash, must_change_password, last_login_at)
SELECT 'student' || g, 'student' || g || '@school.edu',
       '$2b$12$' || md5('s' || g) || md5('salt' || g), true,
       now() - ((g % 5) || ' days')::interval
FROM generate_series(1, 200) g;
INSERT INTO users (username, email, password_hash, must_change_password, last_login_at)
SELECT 'teacher' || g, 'teacher' || g || '@school.edu',
       '$2b$12$' || md5('t' || g) || md5('salt' || g), true, now() - interval '1 day'
FROM generate_series(1, 20) g;
INSERT INTO users (username, email, password_hash, must_change_password, last_login_at)
SELECT 'admin' || g, 'admin' || g || '@school.edu',
       '$2b$12$' || md5('a' || g) || md5('salt' || g), true, now() - interval '2 hours'
FROM generate_series(1, 3) g;

INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id FROM users u JOIN roles r ON r.name = CASE
    WHEN u.username LIKE 'student%' THEN 'student'
    WHEN u.username LIKE 'teacher%' THEN 'teacher'
    ELSE 'administrator' END;

INSERT INTO students (user_id, student_number, department_id, birth_date, enrolled_on)
SELECT u.id, 'S' || lpad(substr(u.username, 8), 6, '0'), 1 + (substr(u.username, 8)::int % 5),
       date '2004-01-01' + (substr(u.username, 8)::int * 7), current_date - 30
FROM users u WHERE u.username LIKE 'student%';

INSERT INTO teachers (user_id, department_id)
SELECT u.id, 1 + (substr(u.username, 8)::int % 5) FROM users u WHERE u.username LIKE 'teacher%';

INSERT INTO courses (code, title, department_id, credits)
SELECT d.code || (100 + g), d.name || ' ' || (100 + g), d.id, 3
FROM departments d, generate_series(1, 8) g;

INSERT INTO academic_periods (name, starts_on, ends_on) VALUES
  ('Previous term', current_date - 200, current_date - 60),
  ('Current term', current_date - 45, current_date + 75),
  ('Next term', current_date + 90, current_date + 210);

INSERT INTO grade_scales (letter, min_score, max_score) VALUES
  ('A', 90, 100), ('B', 80, 89.99), ('C', 70, 79.99), ('D', 60, 69.99), ('F', 0, 59.99);

INSERT INTO attendance_policies (name, max_absences) VALUES
  ('Standard', 10), ('Laboratory courses', 4);

INSERT INTO holidays (day, name, period_id)
SELECT current_date + o, n, (SELECT id FROM academic_periods WHERE name = 'Current term')
FROM (VALUES (10, 'Founders day'), (31, 'Autumn break'), (32, 'Autumn break'), (60, 'Winter holiday')) h(o, n);

-- Each student takes three courses of the current term.
INSERT INTO enrollments (student_id, course_id, period_id)
SELECT s.id, c.id, (SELECT id FROM academic_periods WHERE name = 'Current term')
FROM students s JOIN courses c ON c.id IN (1 + (s.id % 40), 1 + ((s.id + 7) % 40), 1 + ((s.id + 13) % 40));

INSERT INTO grades (enrollment_id, score, letter)
SELECT e.id, sc, CASE WHEN sc >= 90 THEN 'A' WHEN sc >= 80 THEN 'B' WHEN sc >= 70 THEN 'C' WHEN sc >= 60 THEN 'D' ELSE 'F' END
FROM enrollments e, LATERAL (SELECT (55 + (e.id * 37) % 45)::numeric(5,2) AS sc) s;

-- Attendance for the last ten school days that were not holidays.
INSERT INTO attendance (enrollment_id, day, present)
SELECT e.id, current_date - d, (e.id + d) % 9 <> 0
FROM enrollments e, generate_series(1, 10) d;

INSERT INTO audit_log (at, actor, action)
SELECT now() - (g || ' minutes')::interval, 'admin1', 'login' FROM generate_series(0, 50) g;

INSERT INTO survey_responses (user_id, rating)
SELECT id, 4 + ((id / 4) % 2) FROM users WHERE id % 4 = 0;

INSERT INTO legacy_export_counts (entity, count) VALUES
  ('students', 200), ('teachers', 20), ('administrators', 3), ('courses', 40);

-- Refresh tokens of the users who logged in during the last week.
INSERT INTO refresh_tokens (user_id, jti, token_hash, expires_at)
SELECT id, md5('jti' || id), md5('token' || id) || md5('salt' || id), last_login_at + interval '7 days'
FROM users WHERE last_login_at > now() - interval '7 days';

-- At the merge revision of the two heads d4e5f6a7b8c9 and e5f6a7b8c9d0.
INSERT INTO alembic_version (version_num) VALUES ('f6a7b8c9d0e1');

ANALYZE;
