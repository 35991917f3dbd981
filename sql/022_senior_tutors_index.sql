-- 022 — the senior tutors, read from an index of their own.
--
-- The policy engine needs to know, for each contact, whether the member of staff who made it holds the
-- senior_tutor role (the under-18 meeting with the senior tutor, SPEC rules). The facts query
-- (api/store/repo_facts.c) joins the contacts to the senior tutors; there are a few per school, so a partial
-- index holding only them gives the join a hash of a few dozen rows instead of a lookup of the staff table per
-- contact (for a tutor's 20 tutees, ~850 contacts: more than the rest of the statement) or a hash of every
-- member of staff.
CREATE INDEX staff_senior_tutors_idx ON staff (staff_number) WHERE 'senior_tutor' = ANY (roles);
