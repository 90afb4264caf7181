#include "daemon/options.h"

int run_options_load_config(const struct run_options *o, bool reloading, struct config *ret,
                            struct config_error *err)
{
        *err = (struct config_error){{0}};
        return (reloading ? config_reload_all : config_load_all)(ret, o->config_path, o->sets,
                                                                 o->n_sets, err);
}
