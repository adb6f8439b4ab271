import { download } from "temporal-libs";
const { libDir } = await download({ log: true });
console.log(libDir);
