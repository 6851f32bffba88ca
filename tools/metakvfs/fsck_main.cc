// metakvfs-fsck --db=DIR --data=DIR [--tenant=NAME]: checks a metakvfs
// store that no daemon has mounted (fsck.h lists the checks). Exit status:
// 0 consistent (notes may say what the next mount finishes), 1 damaged
// (each error on stdout), 2 bad usage or a store that cannot be opened.
#include <stdio.h>
#include <string.h>

#include <string>

#include "metakv/store.h"
#include "tools/metakvfs/fs.h"
#include "tools/metakvfs/fsck.h"

int main(int argc, char** argv) {
  std::string db, data, tenant = "default";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--db=", 0) == 0) {
      db = a.substr(5);
    } else if (a.rfind("--data=", 0) == 0) {
      data = a.substr(7);
    } else if (a.rfind("--tenant=", 0) == 0) {
      tenant = a.substr(9);
    } else {
      fprintf(stderr, "metakvfs-fsck: unknown argument '%s'\n", argv[i]);
      db.clear();
      break;
    }
  }
  if (db.empty() || data.empty() || tenant.empty()) {
    fprintf(stderr, "usage: metakvfs-fsck --db=DIR --data=DIR [--tenant=NAME]\n");
    return 2;
  }
  metakv::Options options;
  options.domains = metakvfs::MetakvfsDomains();
  options.read_only = true;
  std::unique_ptr<metakv::Store> store;
  metakv::Status s = metakv::Store::Open(options, db, &store);
  if (!s.ok()) {
    fprintf(stderr, "metakvfs-fsck: cannot open the store %s: %s\n", db.c_str(),
            s.ToString().c_str());
    return 2;
  }
  metakvfs::FsckReport r;
  s = metakvfs::CheckFileSystem(store.get(), tenant, data, &r);
  store->Close().PermitUncheckedError();
  if (!s.ok()) {
    fprintf(stderr, "metakvfs-fsck: %s\n", s.ToString().c_str());
    return 2;
  }
  for (const std::string& n : r.notes) printf("note: %s\n", n.c_str());
  for (const std::string& e : r.errors) printf("error: %s\n", e.c_str());
  printf("%llu inodes (%llu directories), %llu entries, %llu blob files, %llu in the recycle bin: "
         "%s\n",
         static_cast<unsigned long long>(r.inodes), static_cast<unsigned long long>(r.directories),
         static_cast<unsigned long long>(r.entries), static_cast<unsigned long long>(r.blob_files),
         static_cast<unsigned long long>(r.trash),
         r.errors.empty() ? "clean" : (std::to_string(r.errors.size()) + " errors").c_str());
  return r.errors.empty() ? 0 : 1;
}
