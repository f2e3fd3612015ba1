/* Private interfaces between the manifest parser's files (lexer, tree, model, checks, diagnostics). */
#ifndef EXITLESS_MANIFEST_INTERNAL_H
#define EXITLESS_MANIFEST_INTERNAL_H

#include <exitless/manifest.h>

/* Document tree node kinds (struct mf_node.kind). */
enum { N_TABLE = 1, N_ARRAY, N_STRING, N_INT, N_BOOL };

/* Node flags. */
#define NF_HEADER  0x01  /* table defined by a [header] */
#define NF_INLINE  0x02  /* inline table or array literal: may not be extended */
#define NF_AOT     0x04  /* array of tables built by [[header]] */
#define NF_BROKEN  0x08  /* a syntax error occurred while filling this table */
#define NF_DOTTED  0x10  /* table created implicitly by a dotted key */

/* The lexer's cursor over the manifest text. */
struct mf_lexer {
    struct mf_workspace *ws;
    const char *s;
    uint32_t len, pos, line, line_start;
    bool full;                  /* node or string storage exhausted: stop parsing */
};

/* diag.c */
void mf_diag_reset(struct mf_diag *d, const char *file);
__attribute__((format(printf, 3, 4)))
void mf_error(struct mf_diag *d, struct mf_pos pos, const char *fmt, ...);
void mf_diag_sort(struct mf_diag *d);
uint32_t mf_edit_distance(const char *a, const char *b);
const char *mf_suggest(const char *word, const char *const *cands, uint32_t n);

/* toml_lex.c: scanning primitives. Functions returning bool report their own errors. */
struct mf_pos mf_lex_pos(const struct mf_lexer *lx);
int mf_lex_peek(const struct mf_lexer *lx);            /* -1 at end of input */
void mf_lex_advance(struct mf_lexer *lx);
void mf_lex_skip_blank(struct mf_lexer *lx);           /* spaces and tabs */
void mf_lex_skip_comment(struct mf_lexer *lx);         /* '#' to end of line */
void mf_lex_skip_ws_nl(struct mf_lexer *lx);           /* blanks, comments, newlines */
bool mf_lex_at_newline(const struct mf_lexer *lx);     /* "\n", "\r\n" or end of input */
void mf_lex_newline(struct mf_lexer *lx);              /* consume one newline */
const char *mf_lex_describe(const struct mf_lexer *lx, char *buf, size_t size);
bool mf_lex_key(struct mf_lexer *lx, uint32_t *str);   /* bare or quoted key */
bool mf_lex_string(struct mf_lexer *lx, uint32_t *str);
bool mf_lex_integer(struct mf_lexer *lx, int64_t *val);
bool mf_lex_is_bare(int c);
void mf_lex_error(struct mf_lexer *lx, const char *expected);  /* "expected X, found Y" */
uint32_t mf_str_alloc(struct mf_lexer *lx, const char *s, uint32_t n);  /* 0 on overflow */

/* toml.c: the document tree. */
bool mf_toml_parse(struct mf_workspace *ws, const char *text, size_t len);  /* false: storage full */
uint32_t mf_node_new(struct mf_lexer *lx, int kind, uint32_t key, struct mf_pos kpos);
void mf_node_append(struct mf_workspace *ws, uint32_t parent, uint32_t child);

static inline struct mf_node *mf_node(struct mf_workspace *ws, uint32_t i)
{
    return &ws->nodes[i];
}

static inline const char *mf_str(const struct mf_workspace *ws, uint32_t off)
{
    return &ws->strings[off];
}

/* "integer 5", "string \"x\"", "boolean true", "an array", "a table". */
const char *mf_node_describe(struct mf_workspace *ws, uint32_t n, char *buf, size_t size);

/* units.c: value syntaxes. On failure they return false and leave *out untouched. */
bool mf_parse_size(const char *s, uint64_t *out);
bool mf_parse_rate(const char *s, uint64_t *out);
bool mf_parse_duration(const char *s, uint64_t *ms);
bool mf_parse_mac(const char *s, struct mf_mac *out);
bool mf_parse_pci(const char *s, struct mf_pci_addr *out);
bool mf_parse_cpu_range(const char *s, struct mf_cpuset *set, uint32_t *bad_cpu);
bool mf_valid_name(const char *s);
void mf_format_mac(const struct mf_mac *m, char *buf, size_t size);
void mf_format_pci(const struct mf_pci_addr *a, char *buf, size_t size);
void mf_format_size(uint64_t bytes, char *buf, size_t size);
void mf_format_rate(uint64_t bps, char *buf, size_t size);
void mf_format_duration(uint64_t ms, char *buf, size_t size);
void mf_format_cpuset(const struct mf_cpuset *s, char *buf, size_t size);
bool mf_mac_equal(const struct mf_mac *a, const struct mf_mac *b);
bool mf_pci_equal(const struct mf_pci_addr *a, const struct mf_pci_addr *b);

/* model.c / model_guest.c: tree -> typed model. */
void mf_build_model(struct mf_workspace *ws);
void mf_build_guest(struct mf_workspace *ws, uint32_t table, struct mf_guest *g, uint32_t index);
void mf_describe_entry(char *buf, size_t size, const char *kind, const char *name, uint32_t index);
extern const char *const mf_on_fault_names[];
extern const char *const mf_interrupts_names[];
extern const char *const mf_virtio_mode_names[];
extern const char *const mf_expect_names[];

/* schema.c: the key tables and the generic walker both model files use. */
enum mf_ktype {
    K_STR, K_NAME, K_U8, K_U16, K_U32, K_BOOL, K_ENUM, K_SIZE, K_RATE, K_DURATION, K_MAC, K_PCI,
    K_VLAN, K_CPUS, K_MODREF, K_SUB
};

struct mf_walk;
struct mf_key {
    const char *name;
    enum mf_ktype type;
    uint16_t off;                /* offsetof the field in the target struct */
    uint16_t size;               /* K_STR/K_NAME: buffer size */
    uint16_t pos_off;            /* offsetof + 1 of a struct mf_pos to fill, 0 = none */
    uint16_t set_off;            /* offsetof + 1 of a bool "was set", 0 = none */
    int64_t min, max;            /* integer range; K_DURATION: max in ms; K_ENUM: unused */
    const char *const *enums;    /* K_ENUM: names, NULL-terminated; value = index */
    bool required;
    void (*sub)(struct mf_walk *w, uint32_t node);  /* K_SUB: handles the value node */
};

/* One table being turned into a struct. */
struct mf_walk {
    struct mf_workspace *ws;
    void *obj;
    const char *where;           /* "[[guest]] 'web'" for messages */
    uint32_t table;
};

/* Descriptor helpers: KEY("vlan", K_VLAN, struct mf_vf, vlan, .pos_off = MF_POS(struct mf_vf, vlan_pos)). */
#define MF_KEY(name_, type_, S, field, ...)                                                   \
    { .name = (name_), .type = (type_), .off = offsetof(S, field),                          \
      .size = sizeof(((S *)0)->field), __VA_ARGS__ }
#define MF_POS(S, field) (offsetof(S, field) + 1)
#define MF_KEY_END { .name = NULL }

void mf_walk_table(struct mf_walk *w, const struct mf_key *keys);
const char *mf_key_name(struct mf_workspace *ws, uint32_t n);
/* "'key': expected X, found <value n>" at the value's position. */
void mf_value_error(struct mf_workspace *ws, const char *key, uint32_t n, const char *expected);
/* The string value of the table's "name" key, or NULL: used to name tables in messages. */
const char *mf_get_name(struct mf_workspace *ws, uint32_t table);
/* Calls fn once for a table, or for each table of an array; reports anything else. */
void mf_for_each_table(struct mf_workspace *ws, uint32_t n, const char *what,
                       void (*fn)(struct mf_workspace *ws, uint32_t table, void *ctx), void *ctx);
/* Copies a string value into buf (size bytes); reports a type error or overflow. */
bool mf_get_string(struct mf_workspace *ws, uint32_t n, char *buf, size_t size);
bool mf_get_vlans(struct mf_workspace *ws, uint32_t n, uint16_t *v, uint8_t *count);
void mf_get_refs(struct mf_workspace *ws, uint32_t n, const char *key, const char *array, const char *one,
                 char (*refs)[MF_NAME_MAX], struct mf_pos *pos, uint8_t *count);

/* check.c, check_devices.c, platform.c */
void mf_check_model(struct mf_workspace *ws);
void mf_check_devices(struct mf_workspace *ws);
/* virtio_switch.c: [virtio_switch] (the walker runs in mf_build_model, the check after the
 * virtio-net ports have their numbers). */
void mf_walk_virtio_switch(struct mf_walk *w, uint32_t node);
void mf_check_virtio_switch(struct mf_workspace *ws);
void mf_check_rate(struct mf_diag *d, uint64_t rate, struct mf_pos pos, const char *key,
                   const char *nic, uint64_t link_bps);

#endif
