#include "observe/who.h"

#include <stdio.h>

#include "base/util.h"

static void sentence(const char *path, const struct identity *id, char *buf, size_t size)
{
        const char *qos = qos_class_to_string(id->qos);

        snprintf(buf, size, "%s", path);
        /* A Podman container's pod_uid is its Podman pod's id: it is named
         * with the container, not as a Kubernetes pod. */
        if (id->kind != IDENTITY_PODMAN && (id->pod_uid[0] || id->pod_name[0])) {
                if (id->pod_name[0])
                        str_appendf(buf, size, " (pod %s/%s",
                                    id->pod_namespace[0] ? id->pod_namespace : "?", id->pod_name);
                else
                        str_appendf(buf, size, " (pod uid %s", id->pod_uid);
                if (id->container_name[0])
                        str_appendf(buf, size, ", container %s", id->container_name);
                if (qos)
                        str_appendf(buf, size, ", %s", qos);
                str_appendf(buf, size, ")");
        } else if (id->container_id[0]) {
                str_appendf(buf, size, " (%s %.12s", id->runtime[0] ? id->runtime : "container",
                            id->container_id);
                if (id->pod_uid[0])
                        str_appendf(buf, size, ", pod %.12s", id->pod_uid);
                str_appendf(buf, size, ")");
        }
}

static void short_form(const char *path, const struct identity *id, char *buf, size_t size)
{
        if ((id->kind == IDENTITY_POD_CONTAINER || id->kind == IDENTITY_POD_SANDBOX) &&
            id->pod_name[0])
                snprintf(buf, size, "%s/%s/%s", id->pod_namespace, id->pod_name,
                         id->kind == IDENTITY_POD_SANDBOX ? "(sandbox)"
                         : id->container_name[0]          ? id->container_name
                                                          : "?");
        else if (id->kind == IDENTITY_POD_CONTAINER || id->kind == IDENTITY_POD_SANDBOX)
                snprintf(buf, size, "pod %.8s %s %.12s", id->pod_uid,
                         id->kind == IDENTITY_POD_SANDBOX ? "sandbox" : "container",
                         id->container_id);
        else if (id->container_id[0])
                snprintf(buf, size, "%s %.12s", id->runtime[0] ? id->runtime : "container",
                         id->container_id);
        else
                snprintf(buf, size, "%s", path);
}

void who_format(const char *path, const struct identity *id, enum who_form form, char *buf,
                size_t size)
{
        if (size == 0)
                return;
        if (form == WHO_SENTENCE)
                sentence(path, id, buf, size);
        else
                short_form(path, id, buf, size);
}
