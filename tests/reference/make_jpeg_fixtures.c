/* Makes the JPEG fixtures for JpegReaderTests with libjpeg(-turbo), an independent encoder and decoder:
 * each case is encoded to <name>.jpg and decoded back by libjpeg (islow IDCT, no fancy upsampling)
 * to <name>.pnm, the reference the C# decoder is compared with.
 * Build: gcc -O2 make_jpeg_fixtures.c -ljpeg -o /tmp/mkjpeg && /tmp/mkjpeg <out folder> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static void encode(const char *dir, const char *name, int w, int h, int comps, int hs, int vs,
                   int restart, int optimize, int progressive) {
  char path[512]; snprintf(path, sizeof path, "%s/%s.jpg", dir, name);
  unsigned char *px = malloc((size_t)w * h * comps);
  for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < comps; c++)
    px[(y * w + x) * comps + c] = (unsigned char)((x * 255 / (w > 1 ? w - 1 : 1)) * (c == 0) + (y * 255 / (h > 1 ? h - 1 : 1)) * (c == 1)
                                                + ((x * 7 + y * 13) % 64 + 96) * (c == 2) + (comps == 1 ? ((x / 3 + y / 2) % 2) * 40 : 0)) ;
  struct jpeg_compress_struct ci; struct jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err); jpeg_create_compress(&ci);
  FILE *f = fopen(path, "wb"); jpeg_stdio_dest(&ci, f);
  ci.image_width = w; ci.image_height = h; ci.input_components = comps;
  ci.in_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&ci); jpeg_set_quality(&ci, 85, TRUE);
  if (comps == 3) { ci.comp_info[0].h_samp_factor = hs; ci.comp_info[0].v_samp_factor = vs; }
  ci.restart_interval = restart; ci.optimize_coding = optimize;
  if (progressive) jpeg_simple_progression(&ci);
  jpeg_start_compress(&ci, TRUE);
  while (ci.next_scanline < ci.image_height) { JSAMPROW row = px + ci.next_scanline * w * comps; jpeg_write_scanlines(&ci, &row, 1); }
  jpeg_finish_compress(&ci); fclose(f); jpeg_destroy_compress(&ci); free(px);

  struct jpeg_decompress_struct di; di.err = jpeg_std_error(&err); jpeg_create_decompress(&di);
  f = fopen(path, "rb"); jpeg_stdio_src(&di, f); jpeg_read_header(&di, TRUE);
  di.dct_method = JDCT_ISLOW; di.do_fancy_upsampling = FALSE;
  jpeg_start_decompress(&di);
  int oc = di.output_components; unsigned char *out = malloc((size_t)w * h * oc);
  while (di.output_scanline < di.output_height) { JSAMPROW row = out + di.output_scanline * w * oc; jpeg_read_scanlines(&di, &row, 1); }
  jpeg_finish_decompress(&di); fclose(f); jpeg_destroy_decompress(&di);
  snprintf(path, sizeof path, "%s/%s.pnm", dir, name);
  f = fopen(path, "wb"); fprintf(f, "P%d\n%d %d\n255\n", oc == 1 ? 5 : 6, w, h); fwrite(out, 1, (size_t)w * h * oc, f); fclose(f); free(out);
}

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  encode(dir, "gray_13x9", 13, 9, 1, 1, 1, 0, 0, 0);
  encode(dir, "rgb444_16x16", 16, 16, 3, 1, 1, 0, 0, 0);
  encode(dir, "rgb420_21x17", 21, 17, 3, 2, 2, 0, 0, 0);
  encode(dir, "rgb422_optimized_30x12", 30, 12, 3, 2, 1, 0, 1, 0);
  encode(dir, "rgb420_restart_40x24", 40, 24, 3, 2, 2, 2, 0, 0);
  encode(dir, "progressive_8x8", 8, 8, 3, 2, 2, 0, 0, 1);
  return 0;
}
