#include "daemon/options.h"

#include "base/log.h"

int run_options_load_config(const struct run_options *o, bool reloading, struct config *ret,
                            struct config_error *err)
{
        *err = (struct config_error){.n = 0};
        return (reloading ? config_reload_all : config_load_all)(ret, o->config_path, o->sets,
                                                                 o->n_sets, err);
}

int run_options_log_config_error(const struct config_error *err, int error)
{
        const char *m;

        if (err->n == 0)
                return log_error_errno(error, "Cannot load the configuration");
        for (unsigned i = 0; (m = config_error_get(err, i)); i++)
                log_error("%s", m);
        if (err->n > 1 + CONFIG_ERRORS_MORE)
                log_error("... and %u more error(s)", err->n - 1 - CONFIG_ERRORS_MORE);
        return error;
}
