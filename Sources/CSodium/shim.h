#ifndef BUCKETCHAT_CSODIUM_SHIM_H
#define BUCKETCHAT_CSODIUM_SHIM_H
#include <sodium.h>
#endif
