#include "observe/snapshot.h"

#include <stdlib.h>
#include <string.h>

void snapshot_init(struct snapshot *s)
{
        *s = (struct snapshot){0};
}
void snapshot_free(struct snapshot *s)
{
        if (!s)
                return;
        free(s->candidates);
        snapshot_init(s);
}
static int candidate_key_cmp(const void *key, const void *elem)
{
        const struct candidate *c = elem;
        return strcmp(key, c->path);
}
const struct candidate *snapshot_find(const struct snapshot *s, const char *path)
{
        if (!s->candidates || s->n_candidates == 0)
                return NULL;
        return bsearch(path, s->candidates, s->n_candidates, sizeof(struct candidate),
                       candidate_key_cmp);
}
