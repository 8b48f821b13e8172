/* jsonget: reading fields of jv values that came from outside. */
#include "jsonget.h"

#include <stdarg.h>

jv json_get(jv obj, const char *key)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_null();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	return jv_is_valid(v) ? v : (jv_free(v), jv_null());
}

jv json_get_string(jv obj, const char *key)
{
	jv v = json_get(obj, key);
	return jv_get_kind(v) == JV_KIND_STRING ? v : (jv_free(v), jv_null());
}

jv json_get_path(jv obj, ...)
{
	va_list ap;
	const char *key;
	jv v = jv_copy(obj);

	va_start(ap, obj);
	while ((key = va_arg(ap, const char *)) != NULL) {
		jv next = json_get(v, key);
		jv_free(v);
		v = next;
	}
	va_end(ap);
	return v;
}
