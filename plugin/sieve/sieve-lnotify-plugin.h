#ifndef SIEVE_LNOTIFY_PLUGIN_H
#define SIEVE_LNOTIFY_PLUGIN_H

struct sieve_instance;

/* The symbols Pigeonhole's plugin loader looks up (sieve-plugins.c). */
extern const char *sieve_lnotify_plugin_version;

void sieve_lnotify_plugin_load(struct sieve_instance *svinst, void **context);
void sieve_lnotify_plugin_unload(struct sieve_instance *svinst, void *context);

void sieve_lnotify_plugin_init(void);
void sieve_lnotify_plugin_deinit(void);

#endif
