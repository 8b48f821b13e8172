/* links: the App Store Connect web pages an event is about, added to the event as
 * versionUrl, buildUrl, feedbackUrl and testflightUrl, and the platform as people write it
 * (platformName). Every pattern and where it comes from is in ascbell(7), "Links". A page
 * that cannot be named for sure (platform or id unknown) is left out, and the templates fall
 * back to the next page up, the app's (app.url). */
#ifndef ASCBELL_LINKS_H
#define ASCBELL_LINKS_H

#include <jv.h>

/* The event (consumed) with every link that its fields allow (app.id, type, category,
 * instance.id, platform, buildId, newState) set, and any that they no longer allow
 * removed. Called by asc-parse and again by asc-enrich, which knows more. */
jv links_add(jv event);

/* "ios", "macos", "tvos", "visionos" for Apple's IOS, MAC_OS, TV_OS, VISION_OS; else NULL. */
const char *links_platform_segment(const char *platform);

#endif
