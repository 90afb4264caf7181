/* "Who is this group", in words: the one place that names a group with its
 * pod, container and QoS class for a person. */
#pragma once

#include <stddef.h>

#include "observe/identity.h"

enum who_form {
        /* The journal's sentence: "/path (pod ns/name, container c,
         * BestEffort)", "/path (docker 0123456789ab)", or the path. */
        WHO_SENTENCE,
        /* A table's few words: "ns/pod/container", "pod 01234567 container
         * 0123456789ab", "docker 0123456789ab", or the path. Not sanitized:
         * the caller makes it fit its terminal. */
        WHO_SHORT,
};

void who_format(const char *path, const struct identity *id, enum who_form form, char *buf,
                size_t size);
