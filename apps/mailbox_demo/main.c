/*
 * apps/mailbox_demo/main.c - two producers, one consumer, one mailbox.
 *
 * The smallest picture of how lwIP's threads talk: messages are pointers
 * posted into a bounded mailbox and fetched on the other side. The consumer
 * is shaped like tcpip_thread: it owns a sys_timeout list, sleeps on the
 * mailbox only until the next timeout is due, and runs sys_check_timeouts()
 * when the fetch times out. What the trace shows:
 *  - producer_a posts with sys_mbox_post and blocks when the mailbox is full;
 *  - producer_b bursts with sys_mbox_trypost and some of its posts fail;
 *  - the consumer's fetches time out whenever the cyclic timer is due;
 *  - main waits on a semaphore for everybody and checks the books.
 *
 * Arguments: rounds=N repeats the producers' work N times (default 1;
 * 0 = until the time limit), limit=SECONDS stops the run after that much
 * guest time (default 0 = none), so the demo can also run "forever" and
 * still end cleanly with its trace complete.
 */
#include <stdio.h>

#include "board.h"
#include "kernel.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

#define MBOX_SIZE 4
#define A_COUNT 16
#define B_COUNT 12
#define WORK_MS 3           /* the consumer's time per message */
#define TIMER_MS 20

struct demo_msg {
    char from;
    int seq;
};

static sys_mbox_t demo_mbox;
static sys_sem_t done_sem;
static struct demo_msg msgs_a[A_COUNT], msgs_b[B_COUNT], stop_msg = { 'x', 0 };
static int a_posted, b_accepted, b_full, fetched, fetch_timeouts, timer_fires, order_errors;
static uint32_t rounds = 1;
static volatile int stopping;

static int more_rounds(uint32_t done)
{
    return !stopping && (rounds == 0 || done < rounds);
}

static void producer_a(void *arg)
{
    (void)arg;
    for (uint32_t r = 0; more_rounds(r); r++) {
        for (int i = 0; i < A_COUNT && !stopping; i++) {
            msgs_a[i] = (struct demo_msg){ 'a', a_posted };
            sys_mbox_post(&demo_mbox, &msgs_a[i]);   /* blocks while the mailbox is full */
            a_posted++;
            sys_msleep(2);
        }
    }
    sys_sem_signal(&done_sem);
}

static void producer_b(void *arg)
{
    (void)arg;
    for (uint32_t r = 0; more_rounds(r); r++) {
        sys_msleep(5);
        for (int i = 0; i < B_COUNT; i++) {
            msgs_b[i] = (struct demo_msg){ 'b', i };
            if (sys_mbox_trypost(&demo_mbox, &msgs_b[i]) == ERR_OK)
                b_accepted++;
            else
                b_full++;                       /* full: the message is not sent */
            if (i == B_COUNT / 2 - 1)
                sys_msleep(30);                 /* two bursts */
        }
    }
    sys_sem_signal(&done_sem);
}

static void on_timer(void)
{
    timer_fires++;
}

static const struct lwip_cyclic_timer demo_timer = { TIMER_MS, on_timer };

/* tcpip_thread's loop in miniature: wait for a message, but only until the
 * next timeout; if the wait times out, run the due timeouts. */
static void consumer(void *arg)
{
    (void)arg;
    int last_a = -1;
    /* No sys_timeouts_init(): that arms the network stack's own timers
     * (etharp_tmr, ...). The list itself needs no set-up. */
    sys_timeout(TIMER_MS, lwip_cyclic_timer, (void *)(uintptr_t)&demo_timer);
    for (;;) {
        void *m;
        u32_t sleep = sys_timeouts_sleeptime();
        if (sleep == 0) {
            sys_check_timeouts();
            continue;
        }
        if (sys_arch_mbox_fetch(&demo_mbox, &m,
                                sleep == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 0 : sleep) ==
            SYS_ARCH_TIMEOUT) {
            fetch_timeouts++;
            sys_check_timeouts();
            continue;
        }
        struct demo_msg *msg = m;
        if (msg == &stop_msg)
            break;
        fetched++;
        if (msg->from == 'a') {
            if (msg->seq != last_a + 1)
                order_errors++;
            last_a = msg->seq;
        }
        sys_msleep(WORK_MS);
    }
    sys_untimeout(lwip_cyclic_timer, (void *)(uintptr_t)&demo_timer);
    sys_sem_signal(&done_sem);
}

int app_main(int argc, char **argv)
{
    static const char *const keys[] = { "rounds", "limit", NULL };
    ng_args_check(argc, argv, keys);
    rounds = ng_arg_u32(argc, argv, "rounds", 1);
    uint32_t limit = ng_arg_seconds(argc, argv, "limit", 0);
    if (rounds == 0 && limit == 0)
        printf("mailbox_demo: running until QEMU is stopped\n");
    printf("mailbox_demo: mailbox of %d, producer_a posts %d, producer_b tries %d\n",
           MBOX_SIZE, A_COUNT, B_COUNT);
    if (sys_mbox_new_named(&demo_mbox, MBOX_SIZE, "demo_mbox") != ERR_OK ||
        sys_sem_new_named(&done_sem, 0, "done_sem") != ERR_OK)
        return 1;
    sys_thread_new("consumer", consumer, NULL, 1024, 3);
    sys_thread_new("producer_a", producer_a, NULL, 768, 2);
    sys_thread_new("producer_b", producer_b, NULL, 768, 2);

    if (limit) {
        u32_t waited = sys_arch_sem_wait(&done_sem, limit * 1000u);
        if (waited == SYS_ARCH_TIMEOUT) {
            printf("mailbox_demo: time limit of %lu s reached, stopping\n", (unsigned long)limit);
            stopping = 1;
            sys_arch_sem_wait(&done_sem, 0);
        } else {
            stopping = 1;       /* one producer is done; stop the other too */
        }
    } else {
        sys_arch_sem_wait(&done_sem, 0);
    }
    sys_arch_sem_wait(&done_sem, 0);
    sys_msleep(3 * TIMER_MS);       /* let the consumer idle through a few timeouts */
    sys_mbox_post(&demo_mbox, &stop_msg);
    sys_arch_sem_wait(&done_sem, 0);

    printf("producer_b: %d accepted, %d refused (mailbox full)\n", b_accepted, b_full);
    printf("consumer: %d fetched, %d fetch timeouts, timer fired %d times\n", fetched,
           fetch_timeouts, timer_fires);
    printf("mailbox: %lu posts, %lu fetches, %lu full, high water %lu of %d\n",
           (unsigned long)demo_mbox.mbox.posts, (unsigned long)demo_mbox.mbox.fetches,
           (unsigned long)demo_mbox.mbox.fulls, (unsigned long)demo_mbox.mbox.high_water,
           MBOX_SIZE);
    int ok = fetched == a_posted + b_accepted &&
             (rounds == 0 || limit || b_accepted + b_full == B_COUNT * (int)rounds) &&
             b_full > 0 && fetch_timeouts > 0 && timer_fires > 0 && order_errors == 0;
    printf("mailbox_demo: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
