/* test_expectations_page.c — the "what you can expect" page as a student's browser shows it: the HTML a
 * student of the school receives is opened in headless Chromium (Debian's `chromium`), which must parse it
 * into a page whose text holds the school's promises, and render it (a screenshot). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "worlds.h"

/* The flags every Chromium run here uses: no sandbox (tests may run as root), no GPU, no network of its own,
 * a fresh profile in `dir`. */
#define CHROMIUM_FLAGS                                                                                                 \
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"              \
    " --disable-component-update --disable-sync"

/* Runs chromium with `action` on file `page` and a fresh profile under `dir`; the command's stdout (malloc'd). */
static char *chromium(const char *dir, const char *action, const char *page)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "timeout 90 chromium " CHROMIUM_FLAGS " --user-data-dir=%s/profile-%d %s file://%s 2>/dev/null", dir,
             (int)strlen(action), action, page);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    size_t cap = 1 << 16, len = 0, n;
    char *out = malloc(cap);
    while (out && (n = fread(out + len, 1, cap - len - 1, f)) > 0)
        if ((len += n) + 1 == cap && !(out = realloc(out, cap *= 2)))
            break;
    ck_assert_ptr_nonnull(out);
    out[len] = '\0';
    pclose(f);
    return out;
}

/* The page a student of a school with the Leicester preset and an office-hours arrangement receives is parsed
 * by the browser into the school's promises, each with its clause, and renders to a non-empty screenshot. */
START_TEST(test_page_in_a_browser)
{
    char school[24], pupil[24], path[128], dir[] = "/tmp/tutord-page-XXXXXX", page[96], shot[96], action[200];
    struct tt_response r;
    tt_new_school(school, sizeof(school), "E", "Engineering & Design");
    harness_unique("S", pupil, sizeof(pupil));
    tt_student(pupil, school);
    char *admin = tt_admin_token(), *student = tt_student_token(pupil);
    snprintf(path, sizeof(path), "/schools/%s/policy", school);
    tt_expect_status("PUT", path, admin,
                     "{\"preset\":\"leicester\",\"office_hours\":\"Drop in on Mondays 10:00-12:00 <room 2.14>\"}", 200);
    snprintf(path, sizeof(path), "/schools/%s/expectations", school);
    const char *accept[] = {"Accept: text/html", NULL};
    ck_assert_int_eq(harness_request("GET", path, student, NULL, NULL, accept, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(page, sizeof(page), "%s/page.html", dir);
    FILE *f = fopen(page, "w");
    ck_assert_ptr_nonnull(f);
    fputs(r.body, f);
    fclose(f);
    harness_response_free(&r);
    char *dom = chromium(dir, "--dump-dom", page);
    ck_assert_msg(strstr(dom, "<title>What you can expect from personal tutoring: Engineering &amp; Design</title>"),
                  "no title in: %.400s", dom);
    ck_assert_ptr_nonnull(
        strstr(dom, "Your personal tutor will normally answer within 3 working days when you contact them."));
    ck_assert_ptr_nonnull(strstr(dom, "Your personal tutor will invite you to at least 4 meetings this year."));
    ck_assert_ptr_nonnull(strstr(dom, "Drop in on Mondays 10:00-12:00 &lt;room 2.14&gt;"));
    ck_assert_ptr_nonnull(strstr(dom, "You can ask to change your personal tutor at any time"));
    ck_assert_ptr_nonnull(strstr(dom, "normally within 3 working days")); /* the clause, quoted */
    snprintf(shot, sizeof(shot), "%s/shot.png", dir);
    snprintf(action, sizeof(action), "--screenshot=%s --window-size=1024,1400", shot);
    free(chromium(dir, action, page));
    struct stat st;
    ck_assert_int_eq(stat(shot, &st), 0);
    ck_assert_int_gt(st.st_size, 5000);
    char magic[8] = {0};
    f = fopen(shot, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fread(magic, 1, 8, f), 8);
    fclose(f);
    ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", 8), 0);
    char rm[128];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(rm), 0);
    free(dom);
    free(admin);
    free(student);
}
END_TEST

int main(void)
{
    const TTest *const tests[] = {test_page_in_a_browser, NULL};
    return harness_run_suite("expectations_page", tests, NULL, NULL);
}
